// SEC-1: TLS 1.2 and 1.3 only, Mozilla's "intermediate" cipher list (forward secrecy only),
// and a development certificate generated on first start and kept under the data directory.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import type { SecureServerOptions } from 'node:http2'
import { dirname } from 'node:path'
import { generate } from 'selfsigned'
import type { Config } from '../config/config.ts'
import { DEV_CERT_SUBJECT } from '../config/profiles.ts'

/** Mozilla Server Side TLS, intermediate configuration (TLS 1.2 suites; 1.3 suites are all AEAD). */
export const INTERMEDIATE_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-CHACHA20-POLY1305',
].join(':')

export interface TlsMaterial {
  key: string
  cert: string
}

/** Creates the development certificate unless one is already there; returns what was done. */
export async function ensureDevCertificate(config: Config): Promise<'created' | 'kept'> {
  const { certFile, keyFile } = config.tls
  if (existsSync(certFile) && existsSync(keyFile)) return 'kept'
  const notAfter = new Date()
  notAfter.setFullYear(notAfter.getFullYear() + 1)
  const pems = await generate([{ name: 'commonName', value: DEV_CERT_SUBJECT }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  })
  mkdirSync(dirname(certFile), { recursive: true, mode: 0o700 })
  mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 })
  writeFileSync(keyFile, pems.private, { mode: 0o600 })
  writeFileSync(certFile, pems.cert, { mode: 0o644 })
  return 'created'
}

export function loadTls(config: Config): TlsMaterial {
  return {
    key: readFileSync(config.tls.keyFile, 'utf8'),
    cert: readFileSync(config.tls.certFile, 'utf8'),
  }
}

/** Options for https.createServer, including the header limit (SEC-4). */
export function httpsOptions(
  tls: TlsMaterial,
  config: Config,
): SecureServerOptions & { maxHeaderSize: number; connectionsCheckingInterval: number } {
  return {
    key: tls.key,
    cert: tls.cert,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ciphers: INTERMEDIATE_CIPHERS,
    honorCipherOrder: false,
    maxHeaderSize: config.limits.headerBytes,
    connectionsCheckingInterval: connectionsCheckingInterval(config),
  }
}

/**
 * SEC-4: how often Node looks for connections past their header or request timeout. Its default
 * (30 s) would let a slow client hold a socket far longer than the configured timeouts.
 */
export function connectionsCheckingInterval(config: Config): number {
  return Math.max(250, Math.min(config.limits.headersTimeoutMs, config.limits.requestTimeoutMs) / 4)
}
