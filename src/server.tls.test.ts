// SEC-1, SEC-4: the real server speaks TLS 1.2/1.3 with forward-secret ciphers only, sends HSTS,
// redirects plain HTTP, keeps its development certificate and refuses oversize headers.
import { createHash, X509Certificate } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { connect, type SecureVersion } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testConfig } from '../test/support/app.ts'
import { createPostgresDatabase, postgresUrl } from '../test/support/database.ts'
import type { Config } from './config/config.ts'
import { ensureDevCertificate } from './http/tls.ts'
import { loadOrCreateSigner, verifyCheckpoint } from './modules/audit/checkpoint.ts'
import { type RunningServer, startServer } from './server.ts'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

let config: Config
let running: RunningServer
let dropDatabase: (() => Promise<void>) | undefined

beforeAll(async () => {
  const [https, http] = [await freePort(), await freePort()]
  let databaseUrl: string | undefined
  if (postgresUrl) {
    const created = await createPostgresDatabase()
    databaseUrl = created.url
    dropDatabase = created.drop
  }
  config = testConfig({
    RAMPART_HOST: '127.0.0.1',
    RAMPART_PORT: String(https),
    RAMPART_HTTP_REDIRECT_PORT: String(http),
    RAMPART_LOG_LEVEL: 'silent',
    RAMPART_HEADERS_TIMEOUT_MS: '1000',
    ...(databaseUrl ? { RAMPART_DATABASE_URL: databaseUrl } : {}),
  })
  running = await startServer(config)
})
afterAll(async () => {
  await running?.stop()
  await dropDatabase?.()
})

function handshake(options: { min?: SecureVersion; max?: SecureVersion; ciphers?: string }) {
  return new Promise<{ protocol: string | null; cipher: string }>((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port: config.httpsPort,
      servername: 'localhost',
      rejectUnauthorized: false,
      minVersion: options.min,
      maxVersion: options.max,
      ciphers: options.ciphers,
    })
    socket.once('secureConnect', () => {
      const result = { protocol: socket.getProtocol(), cipher: socket.getCipher().name }
      socket.end()
      resolve(result)
    })
    socket.once('error', reject)
  })
}

function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: config.httpsPort,
          path,
          headers,
          ca: readFileSync(config.tls.certFile),
          servername: 'localhost',
        },
        (res) => {
          let body = ''
          res.on('data', (c) => {
            body += c
          })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        },
      )
      req.once('error', reject)
      req.end()
    },
  )
}

describe('the HTTPS server', () => {
  it('SEC-1: negotiates TLS 1.3 by default and TLS 1.2 with an ECDHE AEAD suite', async () => {
    expect((await handshake({})).protocol).toBe('TLSv1.3')
    const tls12 = await handshake({ max: 'TLSv1.2' })
    expect(tls12.protocol).toBe('TLSv1.2')
    expect(tls12.cipher).toMatch(
      /^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/,
    )
  })

  it('SEC-1: refuses TLS 1.1 and 1.0', async () => {
    await expect(
      handshake({ min: 'TLSv1', max: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
    ).rejects.toThrow()
  })

  it('SEC-1: refuses TLS 1.2 suites without forward secrecy or with CBC', async () => {
    await expect(handshake({ max: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' })).rejects.toThrow()
    await expect(handshake({ max: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA' })).rejects.toThrow()
  })

  it('SEC-1: serves readiness over HTTPS with the development certificate and HSTS', async () => {
    const res = await get('/readyz')
    expect(res.status).toBe(200)
    expect(res.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains')
    const cert = new X509Certificate(readFileSync(config.tls.certFile))
    expect(cert.subject).toContain('Rampart development certificate')
    expect(cert.subjectAltName).toContain('DNS:localhost')
  })

  it('keeps the development certificate across starts', async () => {
    const fingerprint = () =>
      createHash('sha256').update(readFileSync(config.tls.certFile)).digest('hex')
    const before = fingerprint()
    expect(await ensureDevCertificate(config)).toBe('kept')
    expect(fingerprint()).toBe(before)
  })

  it('SEC-1: plain HTTP answers only with a 301 to the configured HTTPS address', async () => {
    const res = await new Promise<{ status: number; location: string | undefined }>(
      (resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: config.httpRedirectPort,
            path: '/api/v1/me?x=1',
            headers: { host: 'evil.example' },
          },
          (r) => {
            r.resume()
            resolve({ status: r.statusCode ?? 0, location: r.headers.location })
          },
        )
        req.once('error', reject)
        req.end()
      },
    )
    expect(res.status).toBe(301)
    // The target comes from configuration, never from the Host header (no open redirect).
    expect(res.location).toBe(`https://localhost:${config.httpsPort}/api/v1/me?x=1`)
  })

  it('SEC-4: drops a client that never finishes its headers (slowloris)', async () => {
    const started = Date.now()
    const outcome = await new Promise<string>((resolve, reject) => {
      const socket = connect({
        host: '127.0.0.1',
        port: config.httpsPort,
        servername: 'localhost',
        rejectUnauthorized: false,
      })
      let received = ''
      socket.once('secureConnect', () =>
        socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n'),
      )
      socket.on('data', (chunk) => {
        received += chunk.toString()
      })
      socket.once('close', () => resolve(received))
      socket.once('error', reject)
      setTimeout(() => reject(new Error('still connected after 10 s')), 10_000).unref()
    })
    expect(outcome === '' || outcome.startsWith('HTTP/1.1 408')).toBe(true)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('LOG-2: a new entry is checkpointed, signed and witnessed within about a second', async () => {
    const slug = `tls-${process.pid}`
    const body = JSON.stringify({
      organisationName: 'Witnessed',
      slug,
      ownerEmail: `owner@${slug}.example`,
      ownerPassword: 'velvet-Harbour-71-quietly-Orbit',
    })
    const created = await new Promise<{ tenant: { id: string } }>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: config.httpsPort,
          path: '/api/v1/signup',
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
          ca: readFileSync(config.tls.certFile),
          servername: 'localhost',
        },
        (res) => {
          let text = ''
          res.on('data', (c) => {
            text += c
          })
          res.on('end', () => resolve(JSON.parse(text)))
        },
      )
      req.once('error', reject)
      req.end(body)
    })
    const file = join(config.audit.witnessDir, `${created.tenant.id}.jsonl`)
    const started = Date.now()
    while (!existsSync(file) && Date.now() - started < 5_000) await sleep(50)
    expect(Date.now() - started).toBeLessThan(2_500)
    const checkpoint = JSON.parse(readFileSync(file, 'utf8').trim().split('\n')[0] as string)
    expect(checkpoint).toMatchObject({ log: created.tenant.id, size: 3 })
    const signer = loadOrCreateSigner(config.audit.signingKeyFile)
    expect(verifyCheckpoint(checkpoint, signer.publicKey)).toBe(true)
  })

  it('SEC-4: refuses a header block over the limit with 431', async () => {
    const res = await get('/healthz', { 'x-filler': 'a'.repeat(config.limits.headerBytes + 1) })
    expect(res.status).toBe(431)
  })
})
