// SEC-7: the prod profile refuses insecure settings, each with one line saying what to set.
import { X509Certificate } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from './config.ts'

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Subject of the certificate generated on first start in the dev profile. */
export const DEV_CERT_SUBJECT = 'Rampart development certificate'

export function isDevCertificate(certFile: string): boolean {
  if (!existsSync(certFile)) return false
  try {
    const cert = new X509Certificate(readFileSync(certFile))
    return cert.subject.includes(DEV_CERT_SUBJECT)
  } catch {
    return false
  }
}

/** Every reason the configuration is unfit for its profile; empty when it is fine. */
export function profileProblems(config: Config): string[] {
  if (config.profile !== 'prod') return []
  const problems: string[] = []
  if (!config.databaseUrl) {
    problems.push('prod needs PostgreSQL: set RAMPART_DATABASE_URL=postgres://user@host/db')
  }
  if (!config.publicUrlConfigured) {
    problems.push(
      'prod needs its public address for redirects and links: set RAMPART_PUBLIC_URL=https://your.host',
    )
  } else if (!config.publicUrl.startsWith('https://')) {
    problems.push('prod serves HTTPS only: RAMPART_PUBLIC_URL must start with https://')
  }
  if (!config.metricsToken) {
    problems.push('prod keeps /metrics private: set RAMPART_METRICS_TOKEN to a long random value')
  }
  if (config.plainHttp) {
    problems.push('prod serves HTTPS only: unset RAMPART_PLAIN_HTTP')
  }
  // IAM-2: password reset links and security notices go out by e-mail; .eml files would strand them.
  if (!config.mail.smtpUrl) {
    problems.push(
      'prod sends e-mail through SMTP: set RAMPART_SMTP_URL=smtp://user:password@mail.host:587',
    )
  } else if (config.mail.smtpInsecure) {
    problems.push('prod sends e-mail over TLS only: unset RAMPART_SMTP_INSECURE')
  }
  const devPrefix = join(config.dataDir, 'tls', 'dev-')
  if (config.tls.certFile.startsWith(devPrefix) || config.tls.keyFile.startsWith(devPrefix)) {
    problems.push(
      'prod needs a real certificate: set RAMPART_TLS_CERT_FILE and RAMPART_TLS_KEY_FILE',
    )
  } else if (isDevCertificate(config.tls.certFile)) {
    problems.push(
      `prod refuses the development certificate in ${config.tls.certFile}: set RAMPART_TLS_CERT_FILE to a real one`,
    )
  } else if (!existsSync(config.tls.certFile) || !existsSync(config.tls.keyFile)) {
    problems.push(
      `TLS files not found: check RAMPART_TLS_CERT_FILE (${config.tls.certFile}) and RAMPART_TLS_KEY_FILE (${config.tls.keyFile})`,
    )
  }
  if (config.keys.provider === 'file' && !config.keys.allowFileProviderInProd) {
    problems.push(
      'prod refuses the development master key file: set RAMPART_KEY_PROVIDER=pkcs11 (or RAMPART_ALLOW_FILE_KEY_PROVIDER=true to accept a key file)',
    )
  }
  if (config.keys.provider === 'pkcs11') {
    const p = config.keys.pkcs11
    if (!p.library || !p.tokenLabel || !p.pin) {
      problems.push(
        'the pkcs11 key provider needs RAMPART_PKCS11_LIBRARY, RAMPART_PKCS11_TOKEN_LABEL and RAMPART_PKCS11_PIN_FILE',
      )
    }
  }
  // KMS-1: tenant keys are kept apart from the data they protect, and from its backups.
  if (!config.keys.storeUrl) {
    problems.push(
      'prod keeps tenant keys in a database of their own: set RAMPART_KEYSTORE_URL=postgres://user@host/keys',
    )
  } else if (config.databaseUrl && sameDatabase(config.keys.storeUrl, config.databaseUrl)) {
    problems.push(
      'RAMPART_KEYSTORE_URL names the main database: tenant keys would share its backups; use another database',
    )
  }
  return problems
}

/** Same host, port and database name: the key store would not be apart from the data. */
function sameDatabase(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a), new URL(b)]
    return x.host === y.host && x.pathname === y.pathname
  } catch {
    return a === b
  }
}

export function checkProfile(config: Config): void {
  const problems = profileProblems(config)
  if (problems.length > 0) throw new ConfigError(problems.join('\n'))
}
