// SEC-7: configuration is typed and checked; the prod profile refuses insecure settings, each with
// one line that says what to set.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generate } from 'selfsigned'
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureDevCertificate } from '../http/tls.ts'
import { ConfigError, loadConfig, parseConfig } from './config.ts'
import { profileProblems } from './profiles.ts'

let dir: string
let realCert: string
let realKey: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rampart-config-'))
  const pems = await generate([{ name: 'commonName', value: 'rampart.example.com' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
  })
  realCert = join(dir, 'cert.pem')
  realKey = join(dir, 'key.pem')
  writeFileSync(realCert, pems.cert)
  writeFileSync(realKey, pems.private)
})

function prodEnv(overrides: Record<string, string> = {}) {
  return {
    RAMPART_PROFILE: 'prod',
    RAMPART_DATA_DIR: dir,
    RAMPART_DATABASE_URL: 'postgres://rampart@db.internal/rampart',
    RAMPART_PUBLIC_URL: 'https://rampart.example.com',
    RAMPART_METRICS_TOKEN: 'a-long-random-metrics-token',
    RAMPART_TLS_CERT_FILE: realCert,
    RAMPART_TLS_KEY_FILE: realKey,
    RAMPART_KEY_PROVIDER: 'pkcs11',
    RAMPART_PKCS11_LIBRARY: '/usr/lib/softhsm/libsofthsm2.so',
    RAMPART_PKCS11_TOKEN_LABEL: 'rampart',
    RAMPART_PKCS11_PIN: '1234',
    RAMPART_KEYSTORE_URL: 'postgres://rampart_keys@keys.internal/rampart_keys',
    RAMPART_SMTP_URL: 'smtp://rampart:mail-secret@mail.internal:587',
    ...overrides,
  }
}

describe('configuration', () => {
  it('has working defaults: dev profile, HTTPS on 8443, embedded database, IAM-6 timeouts', () => {
    const config = parseConfig({ RAMPART_DATA_DIR: dir })
    expect(config).toMatchObject({
      profile: 'dev',
      httpsPort: 8443,
      httpRedirectPort: 8080,
      databaseUrl: undefined,
      publicUrl: 'https://localhost:8443',
      session: { idleTimeoutSeconds: 1800, absoluteTimeoutSeconds: 43_200 },
      limits: { bodyBytes: 65_536, headerBytes: 16_384 },
    })
    expect(config.tls.certFile).toBe(join(dir, 'tls', 'dev-cert.pem'))
  })

  it('IAM-2: mail defaults to .eml files under the data directory; SMTP needs STARTTLS unless told', () => {
    const config = parseConfig({ RAMPART_DATA_DIR: dir })
    expect(config.mail).toEqual({
      smtpUrl: undefined,
      smtpInsecure: false,
      from: 'Rampart <no-reply@localhost>',
      outboxDir: join(dir, 'outbox'),
      deliveryIntervalMs: 5_000,
    })
    expect(config.passwordReset).toEqual({ tokenTtlSeconds: 1_800, maxPerAccountPerHour: 3 })
  })

  it('LOG-6: a refused RAMPART_SMTP_URL is not repeated in the error, since it holds a password', () => {
    const env = { RAMPART_DATA_DIR: dir, RAMPART_SMTP_URL: 'http://user:hunter2-secret@mail' }
    expect(() => parseConfig(env)).toThrow(ConfigError)
    expect(() => parseConfig(env)).not.toThrow(/hunter2/)
  })

  it('reads an optional JSON file, with the environment taking precedence', () => {
    const file = join(dir, 'rampart.json')
    writeFileSync(file, JSON.stringify({ RAMPART_PORT: 9443, RAMPART_REGIONS: ['eu', 'ch'] }))
    const config = parseConfig({
      RAMPART_CONFIG_FILE: file,
      RAMPART_REGIONS: 'eu,us',
      RAMPART_DATA_DIR: dir,
    })
    expect(config.httpsPort).toBe(9443)
    expect(config.regions).toEqual(['eu', 'us'])
  })

  it.each([
    [{ RAMPART_PROFILE: 'staging' }, 'RAMPART_PROFILE must be dev or prod'],
    [{ RAMPART_PORT: '70000' }, 'RAMPART_PORT must be an integer from 0 to 65535'],
    [
      { RAMPART_SESSION_IDLE_TIMEOUT: '0' },
      'RAMPART_SESSION_IDLE_TIMEOUT must be an integer from 60',
    ],
    [{ RAMPART_REQUEST_TIMEOUT_MS: 'soon' }, 'RAMPART_REQUEST_TIMEOUT_MS must be an integer'],
    [{ RAMPART_PLAIN_HTTP: 'yes' }, 'RAMPART_PLAIN_HTTP must be true or false'],
    [{ RAMPART_PUBLIC_URL: 'not a url' }, 'RAMPART_PUBLIC_URL must be an http(s) URL'],
    [{ RAMPART_LOG_LEVEL: 'loud' }, 'RAMPART_LOG_LEVEL must be one of'],
    [{ RAMPART_DATABASE_APP_ROLE: 'app"; DROP ROLE x' }, 'RAMPART_DATABASE_APP_ROLE must be'],
    [{ RAMPART_DEFAULT_REGION: 'mars' }, 'RAMPART_DEFAULT_REGION "mars" is not in RAMPART_REGIONS'],
    [
      { RAMPART_SMTP_URL: 'https://mail.example' },
      'RAMPART_SMTP_URL must be an smtp:// or smtps://',
    ],
    [{ RAMPART_MAIL_FROM: 'Rampart\r\nBcc: x@y.z' }, 'RAMPART_MAIL_FROM must be an address'],
    // IAM-8: a typo in the trusted proxies must not start a server trusting the wrong peers.
    [
      { RAMPART_TRUSTED_PROXIES: '10.0.0.1,10.0.0.0/33' },
      'RAMPART_TRUSTED_PROXIES entry "10.0.0.0/33" is not an IP address or CIDR range',
    ],
    [{ RAMPART_PASSWORD_RESET_TTL: '10' }, 'RAMPART_PASSWORD_RESET_TTL must be an integer from 60'],
    [
      { RAMPART_CONFIG_FILE: '/nonexistent/rampart.json' },
      'RAMPART_CONFIG_FILE /nonexistent/rampart.json cannot be read',
    ],
  ])('refuses %o with a message naming the setting', (env, message) => {
    expect(() => parseConfig({ RAMPART_DATA_DIR: dir, ...env })).toThrow(ConfigError)
    expect(() => parseConfig({ RAMPART_DATA_DIR: dir, ...env })).toThrow(message)
  })

  it('SEC-7: prod with real settings starts', () => {
    expect(profileProblems(parseConfig(prodEnv()))).toEqual([])
    expect(() => loadConfig(prodEnv())).not.toThrow()
  })

  it.each([
    ['a missing database URL', { RAMPART_DATABASE_URL: '' }, 'set RAMPART_DATABASE_URL'],
    ['plain HTTP', { RAMPART_PLAIN_HTTP: 'true' }, 'unset RAMPART_PLAIN_HTTP'],
    [
      'the default development certificate',
      { RAMPART_TLS_CERT_FILE: '', RAMPART_TLS_KEY_FILE: '' },
      'set RAMPART_TLS_CERT_FILE and RAMPART_TLS_KEY_FILE',
    ],
    [
      'the development master key file',
      { RAMPART_KEY_PROVIDER: 'file' },
      'set RAMPART_KEY_PROVIDER=pkcs11',
    ],
    ['no public URL', { RAMPART_PUBLIC_URL: '' }, 'set RAMPART_PUBLIC_URL='],
    [
      'an http public URL',
      { RAMPART_PUBLIC_URL: 'http://rampart.example.com' },
      'RAMPART_PUBLIC_URL must start with https://',
    ],
    ['open metrics', { RAMPART_METRICS_TOKEN: '' }, 'set RAMPART_METRICS_TOKEN'],
    [
      'an incomplete PKCS#11 setting',
      { RAMPART_PKCS11_PIN: '' },
      'needs RAMPART_PKCS11_LIBRARY, RAMPART_PKCS11_TOKEN_LABEL and RAMPART_PKCS11_PIN_FILE',
    ],
    ['mail without SMTP (IAM-2)', { RAMPART_SMTP_URL: '' }, 'set RAMPART_SMTP_URL=smtp://'],
    ['SMTP without STARTTLS', { RAMPART_SMTP_INSECURE: 'true' }, 'unset RAMPART_SMTP_INSECURE'],
    [
      'tenant keys in a directory (KMS-1)',
      { RAMPART_KEYSTORE_URL: '' },
      'set RAMPART_KEYSTORE_URL=',
    ],
    [
      'tenant keys in the main database (KMS-1)',
      { RAMPART_KEYSTORE_URL: 'postgres://other-user@db.internal/rampart' },
      'RAMPART_KEYSTORE_URL names the main database',
    ],
  ])('SEC-7: prod refuses %s with one line saying what to set', (_what, overrides, fix) => {
    const problems = profileProblems(parseConfig(prodEnv(overrides)))
    expect(problems).toHaveLength(1)
    expect(problems[0]).toContain(fix)
    expect(problems[0]).not.toContain('\n')
    expect(() => loadConfig(prodEnv(overrides))).toThrow(ConfigError)
  })

  it('SEC-7: prod refuses the development certificate even when it lives outside the data directory', async () => {
    const devDir = mkdtempSync(join(tmpdir(), 'rampart-devcert-'))
    const dev = parseConfig({ RAMPART_DATA_DIR: devDir })
    await ensureDevCertificate(dev)
    const problems = profileProblems(
      parseConfig(prodEnv({ RAMPART_TLS_CERT_FILE: dev.tls.certFile })),
    )
    expect(problems).toEqual([expect.stringContaining('prod refuses the development certificate')])
  })
})

describe('AUTHZ-4 access review settings', () => {
  const parse = (env: Record<string, string>) => parseConfig({ RAMPART_DATA_DIR: dir, ...env })

  it('AUTHZ-4: defaults to a review every 90 days, each due within 14; both configurable', () => {
    expect(parse({}).accessReview).toEqual({ intervalDays: 90, dueDays: 14 })
    expect(
      parse({ RAMPART_ACCESS_REVIEW_INTERVAL_DAYS: '30', RAMPART_ACCESS_REVIEW_DUE_DAYS: '7' })
        .accessReview,
    ).toEqual({ intervalDays: 30, dueDays: 7 })
    // The bounds themselves, and the two equal.
    expect(parse({ RAMPART_ACCESS_REVIEW_INTERVAL_DAYS: '365' }).accessReview.intervalDays).toBe(
      365,
    )
    expect(
      parse({ RAMPART_ACCESS_REVIEW_INTERVAL_DAYS: '7', RAMPART_ACCESS_REVIEW_DUE_DAYS: '7' })
        .accessReview,
    ).toEqual({ intervalDays: 7, dueDays: 7 })
  })

  it('AUTHZ-4: the JSON file may set them, as numbers', () => {
    const file = join(dir, 'access-review.json')
    writeFileSync(file, JSON.stringify({ RAMPART_ACCESS_REVIEW_INTERVAL_DAYS: 45 }))
    expect(parse({ RAMPART_CONFIG_FILE: file }).accessReview).toEqual({
      intervalDays: 45,
      dueDays: 14,
    })
  })

  it.each([
    ['6', 'RAMPART_ACCESS_REVIEW_INTERVAL_DAYS must be an integer from 7 to 365, got "6"'],
    ['366', 'RAMPART_ACCESS_REVIEW_INTERVAL_DAYS must be an integer from 7 to 365, got "366"'],
    ['0', 'from 7 to 365, got "0"'],
    ['-90', 'from 7 to 365, got "-90"'],
    ['90.5', 'from 7 to 365, got "90.5"'],
    ['ninety', 'from 7 to 365, got "ninety"'],
    ['1e3', 'from 7 to 365, got "1e3"'],
    [' 90; DROP', 'from 7 to 365, got " 90; DROP"'],
  ])('AUTHZ-4: refuses RAMPART_ACCESS_REVIEW_INTERVAL_DAYS=%j', (value, message) => {
    expect(() => parse({ RAMPART_ACCESS_REVIEW_INTERVAL_DAYS: value })).toThrow(ConfigError)
    expect(() => parse({ RAMPART_ACCESS_REVIEW_INTERVAL_DAYS: value })).toThrow(message)
  })

  it.each([
    ['0', 'RAMPART_ACCESS_REVIEW_DUE_DAYS must be an integer from 1 to 365, got "0"'],
    ['two weeks', 'RAMPART_ACCESS_REVIEW_DUE_DAYS must be an integer from 1 to 365'],
    ['14.5', 'RAMPART_ACCESS_REVIEW_DUE_DAYS must be an integer from 1 to 365'],
  ])('AUTHZ-4: refuses RAMPART_ACCESS_REVIEW_DUE_DAYS=%j', (value, message) => {
    expect(() => parse({ RAMPART_ACCESS_REVIEW_DUE_DAYS: value })).toThrow(message)
  })

  it('AUTHZ-4: a review must fall due before the next one would: due days beyond the interval are refused', () => {
    const env = { RAMPART_ACCESS_REVIEW_INTERVAL_DAYS: '10', RAMPART_ACCESS_REVIEW_DUE_DAYS: '11' }
    expect(() => parse(env)).toThrow(ConfigError)
    expect(() => parse(env)).toThrow(
      'RAMPART_ACCESS_REVIEW_DUE_DAYS (11) must not exceed RAMPART_ACCESS_REVIEW_INTERVAL_DAYS (10)',
    )
    // The default 14 days against a short deployment interval, too.
    expect(() => parse({ RAMPART_ACCESS_REVIEW_INTERVAL_DAYS: '7' })).toThrow(
      'RAMPART_ACCESS_REVIEW_DUE_DAYS (14) must not exceed',
    )
  })
})
