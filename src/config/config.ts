// Typed configuration from RAMPART_* environment variables and an optional JSON file.
// Environment wins over the file; every setting is documented in docs/configuration.md.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import ipaddr from 'ipaddr.js'
import { ConfigError, checkProfile } from './profiles.ts'

export type Profile = 'dev' | 'prod'

export interface RateLimitConfig {
  /** Requests per window per client address, across all routes. */
  globalMax: number
  /** Sign-in attempts per window per client address. */
  signInMax: number
  /** Sign-ups per window per client address. */
  signUpMax: number
  /** Password reset requests and confirmations per window per client address (IAM-3). */
  passwordResetMax: number
  windowMs: number
}

export interface MailConfig {
  /** smtp:// or smtps:// URL with any credentials; without it mail goes to .eml files. */
  smtpUrl: string | undefined
  /** Allow SMTP without STARTTLS (dev mail catchers); prod refuses it. */
  smtpInsecure: boolean
  from: string
  /** Where mail is written as .eml files when no SMTP URL is set. */
  outboxDir: string
  /** How often the outbox is checked for mail due (ms). */
  deliveryIntervalMs: number
}

export interface KeysConfig {
  /** Where the master key lives (KMS-1). */
  provider: 'file' | 'pkcs11'
  masterKeyFile: string
  allowFileProviderInProd: boolean
  pkcs11: {
    library: string | undefined
    tokenLabel: string | undefined
    /** The user PIN, from RAMPART_PKCS11_PIN or the file RAMPART_PKCS11_PIN_FILE names. */
    pin: string | undefined
    keyLabelPrefix: string
  }
  /** Tenant key store: a PostgreSQL database of its own, or else this directory. */
  storeUrl: string | undefined
  storeDir: string
  /** The key store's own backups, kept for a short time so shredding reaches them (KMS-5). */
  backupDir: string
  backupRetentionDays: number
  cache: { ttlMs: number; maxUses: number }
}

/**
 * AUTHZ-4: the review intervals any deployment may configure, in days. An organisation may set its
 * own interval from the minimum up to its deployment's RAMPART_ACCESS_REVIEW_INTERVAL_DAYS.
 */
export const ACCESS_REVIEW_INTERVAL_BOUNDS = { minDays: 7, maxDays: 365 } as const

export interface AccessReviewConfig {
  /** Days between reviews: the default, and the longest interval an organisation may set. */
  intervalDays: number
  /** Days an opened review has before it is overdue and reviewers are reminded daily. */
  dueDays: number
}

/** DATA-1, DATA-4, AUTHZ-3: tenant data, dashboards and kiosk links. */
export interface DataConfig {
  /** DATA-4: days a deleted record or collection stays locked (restorable) before the purge. */
  deletionLockDays: number
  /** Dashboards suppress groups with fewer records than this (an organisation may only raise it). */
  minGroupSize: number
  /** Rows per import transaction: a batch commits whole or not at all. */
  importBatchRows: number
  /** Largest import body accepted over HTTP, in bytes. */
  importMaxBytes: number
  /** AUTHZ-3: failed kiosk-link guesses from one IP within the window before it is throttled. */
  kioskThrottleAfter: number
  /** AUTHZ-3: failed guesses within the window after which the IP is blocked for kioskBlockSeconds. */
  kioskBlockAfter: number
  kioskWindowSeconds: number
  kioskBlockSeconds: number
}

export interface Config {
  profile: Profile
  dataDir: string
  /** PostgreSQL URL; when absent the embedded PGlite database under dataDir is used. */
  databaseUrl: string | undefined
  /**
   * PostgreSQL URL of the schema owner, for migrations and the operator CLI. When absent the
   * runtime URL is used for both (AUTHZ-5 then rests on withTenant alone; prod refuses that).
   */
  databaseMigrationUrl: string | undefined
  databasePoolSize: number
  /** Name of the non-owner role every application transaction runs as (AUTHZ-5). */
  databaseAppRole: string
  host: string
  httpsPort: number
  /** Plain-HTTP port that only redirects to HTTPS; 0 disables it. */
  httpRedirectPort: number
  /** Serve plain HTTP instead of HTTPS (dev only, e.g. behind a TLS-terminating proxy). */
  plainHttp: boolean
  publicUrl: string
  /** False when publicUrl is the localhost default (prod needs the real address). */
  publicUrlConfigured: boolean
  tls: { certFile: string; keyFile: string }
  keys: KeysConfig
  audit: {
    /** Ed25519 key that signs checkpoints (LOG-2); kept out of the database. */
    signingKeyFile: string
    /** Append-only directory where every signed checkpoint is copied, outside the database. */
    witnessDir: string
    /** How often queued entries are sequenced and grown logs checkpointed (ms). */
    checkpointIntervalMs: number
  }
  regions: string[]
  defaultRegion: string
  /** KMS-5, DATA-4: how long `rampart tenant shred` keeps a tenant locked before it is deleted. */
  tenantDeletion: { delayDays: number }
  accessReview: AccessReviewConfig
  data: DataConfig
  session: {
    idleTimeoutSeconds: number
    absoluteTimeoutSeconds: number
    /** IAM-4, IAM-6: how recent a sign-in or step-up must be to change factors, e-mail or password. */
    stepUpSeconds: number
    /** IAM-4: how long a correct password waits for its second factor. */
    mfaChallengeSeconds: number
  }
  mail: MailConfig
  /** IAM-2: how long a reset link works, and how many reset mails an account gets per hour. */
  passwordReset: { tokenTtlSeconds: number; maxPerAccountPerHour: number }
  /** IAM-3: consecutive failures before a lock, and the first and longest lock. */
  lockout: { threshold: number; baseSeconds: number; maxSeconds: number }
  limits: {
    bodyBytes: number
    headerBytes: number
    requestTimeoutMs: number
    headersTimeoutMs: number
    keepAliveTimeoutMs: number
  }
  rateLimit: RateLimitConfig
  corsOrigins: string[]
  trustProxy: boolean | string[]
  logLevel: string
  /** When set, /metrics requires this bearer token. */
  metricsToken: string | undefined
}

type Env = Record<string, string | undefined>

function int(
  env: Env,
  file: Record<string, unknown>,
  key: string,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = env[key] ?? file[key]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${key} must be an integer from ${min} to ${max}, got "${String(raw)}"`)
  }
  return value
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']
const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/

function url(key: string, value: string): string {
  try {
    const parsed = new URL(value)
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('scheme')
    return value
  } catch {
    throw new ConfigError(`${key} must be an http(s) URL, got "${value}"`)
  }
}

function str(env: Env, file: Record<string, unknown>, key: string, fallback: string): string {
  const raw = env[key] ?? file[key]
  return raw === undefined || raw === '' ? fallback : String(raw)
}

function optional(env: Env, file: Record<string, unknown>, key: string): string | undefined {
  const raw = env[key] ?? file[key]
  return raw === undefined || raw === '' ? undefined : String(raw)
}

function bool(env: Env, file: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const raw = env[key] ?? file[key]
  if (raw === undefined || raw === '') return fallback
  if (raw === true || raw === 'true' || raw === '1') return true
  if (raw === false || raw === 'false' || raw === '0') return false
  throw new ConfigError(`${key} must be true or false, got "${String(raw)}"`)
}

function list(env: Env, file: Record<string, unknown>, key: string, fallback: string[]): string[] {
  const raw = env[key] ?? file[key]
  if (raw === undefined || raw === '') return fallback
  if (Array.isArray(raw)) return raw.map(String)
  return String(raw)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

function readFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {}
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'))
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigError(`RAMPART_CONFIG_FILE ${path} must hold a JSON object`)
    }
    return parsed as Record<string, unknown>
  } catch (err) {
    if (err instanceof ConfigError) throw err
    throw new ConfigError(`RAMPART_CONFIG_FILE ${path} cannot be read: ${(err as Error).message}`)
  }
}

/** The PKCS#11 user PIN: inline, or read from a file so it stays out of the environment. */
function pkcs11Pin(env: Env, file: Record<string, unknown>): string | undefined {
  const inline = optional(env, file, 'RAMPART_PKCS11_PIN')
  const pinFile = optional(env, file, 'RAMPART_PKCS11_PIN_FILE')
  if (inline && pinFile) {
    throw new ConfigError('set RAMPART_PKCS11_PIN or RAMPART_PKCS11_PIN_FILE, not both')
  }
  if (!pinFile) return inline
  try {
    return readFileSync(pinFile, 'utf8').trim()
  } catch (err) {
    throw new ConfigError(
      `RAMPART_PKCS11_PIN_FILE ${pinFile} cannot be read: ${(err as Error).message}`,
    )
  }
}

function isSmtpUrl(value: string): boolean {
  try {
    const parsed = new URL(value)
    return (parsed.protocol === 'smtp:' || parsed.protocol === 'smtps:') && parsed.hostname !== ''
  } catch {
    return false
  }
}

/** Outgoing mail. The SMTP URL holds a password, so errors never repeat it. */
function mailConfig(env: Env, file: Record<string, unknown>, dataDir: string): MailConfig {
  const smtpUrl = optional(env, file, 'RAMPART_SMTP_URL')
  if (smtpUrl !== undefined && !isSmtpUrl(smtpUrl)) {
    throw new ConfigError('RAMPART_SMTP_URL must be an smtp:// or smtps:// URL with a host')
  }
  const from = str(env, file, 'RAMPART_MAIL_FROM', 'Rampart <no-reply@localhost>')
  if (!/^[^\r\n<>]*<[^\s@<>]+@[^\s@<>]+>$|^[^\s@<>]+@[^\s@<>]+$/.test(from)) {
    throw new ConfigError(
      'RAMPART_MAIL_FROM must be an address, like "Rampart <no-reply@example.com>"',
    )
  }
  return {
    smtpUrl,
    smtpInsecure: bool(env, file, 'RAMPART_SMTP_INSECURE', false),
    from,
    outboxDir: resolve(dataDir, 'outbox'),
    deliveryIntervalMs: int(env, file, 'RAMPART_MAIL_INTERVAL_MS', 5_000, 100, 600_000),
  }
}

/** AUTHZ-4: the deployment's review interval ([90 days]) and how long a review has ([14 days]). */
function accessReviewConfig(env: Env, file: Record<string, unknown>): AccessReviewConfig {
  const { minDays, maxDays } = ACCESS_REVIEW_INTERVAL_BOUNDS
  const intervalDays = int(env, file, 'RAMPART_ACCESS_REVIEW_INTERVAL_DAYS', 90, minDays, maxDays)
  const dueDays = int(env, file, 'RAMPART_ACCESS_REVIEW_DUE_DAYS', 14, 1, maxDays)
  // A review falls overdue, and is chased, before the next one would be due.
  if (dueDays > intervalDays) {
    throw new ConfigError(
      `RAMPART_ACCESS_REVIEW_DUE_DAYS (${dueDays}) must not exceed RAMPART_ACCESS_REVIEW_INTERVAL_DAYS (${intervalDays})`,
    )
  }
  return { intervalDays, dueDays }
}

/** DATA-4 [30 days] locking, small-group suppression [5], imports, AUTHZ-3 kiosk guessing limits. */
function dataConfig(env: Env, file: Record<string, unknown>): DataConfig {
  const kioskThrottleAfter = int(env, file, 'RAMPART_KIOSK_THROTTLE_AFTER', 5, 1, 1000)
  const kioskBlockAfter = int(env, file, 'RAMPART_KIOSK_BLOCK_AFTER', 20, 1, 10_000)
  if (kioskBlockAfter < kioskThrottleAfter) {
    throw new ConfigError(
      `RAMPART_KIOSK_BLOCK_AFTER (${kioskBlockAfter}) must not be below RAMPART_KIOSK_THROTTLE_AFTER (${kioskThrottleAfter})`,
    )
  }
  return {
    deletionLockDays: int(env, file, 'RAMPART_DATA_DELETION_LOCK_DAYS', 30, 1, 365),
    minGroupSize: int(env, file, 'RAMPART_DATA_MIN_GROUP_SIZE', 5, 2, 1000),
    importBatchRows: int(env, file, 'RAMPART_DATA_IMPORT_BATCH_ROWS', 1000, 1, 10_000),
    importMaxBytes: int(env, file, 'RAMPART_DATA_IMPORT_MAX_BYTES', 256 * 1024 * 1024, 1024),
    kioskThrottleAfter,
    kioskBlockAfter,
    kioskWindowSeconds: int(env, file, 'RAMPART_KIOSK_WINDOW_SECONDS', 15 * 60, 10, 86_400),
    kioskBlockSeconds: int(env, file, 'RAMPART_KIOSK_BLOCK_SECONDS', 24 * 3600, 10, 30 * 86_400),
  }
}

/** Builds the configuration without checking the profile rules (tests use this directly). */
export function parseConfig(env: Env = process.env): Config {
  const file = readFile(env.RAMPART_CONFIG_FILE)
  const profile = str(env, file, 'RAMPART_PROFILE', 'dev')
  if (profile !== 'dev' && profile !== 'prod') {
    throw new ConfigError(`RAMPART_PROFILE must be dev or prod, got "${profile}"`)
  }
  const dataDir = resolve(str(env, file, 'RAMPART_DATA_DIR', './data'))
  const httpsPort = int(env, file, 'RAMPART_PORT', 8443, 0, 65_535)
  const host = str(env, file, 'RAMPART_HOST', '0.0.0.0')
  const plainHttp = bool(env, file, 'RAMPART_PLAIN_HTTP', false)
  const regions = list(env, file, 'RAMPART_REGIONS', ['eu'])
  const defaultRegion = str(env, file, 'RAMPART_DEFAULT_REGION', regions[0] ?? 'eu')
  if (!regions.includes(defaultRegion)) {
    throw new ConfigError(`RAMPART_DEFAULT_REGION "${defaultRegion}" is not in RAMPART_REGIONS`)
  }
  const keyProvider = str(env, file, 'RAMPART_KEY_PROVIDER', 'file')
  if (keyProvider !== 'file' && keyProvider !== 'pkcs11') {
    throw new ConfigError(`RAMPART_KEY_PROVIDER must be file or pkcs11, got "${keyProvider}"`)
  }
  const trustProxy = list(env, file, 'RAMPART_TRUSTED_PROXIES', [])
  // IAM-8: X-Forwarded-For decides the client address (and so the IP allowlist) only from these
  // peers; a typo must not start a server that trusts nobody, or the wrong peers.
  for (const proxy of trustProxy) {
    if (!ipaddr.isValid(proxy) && !ipaddr.isValidCIDR(proxy)) {
      throw new ConfigError(
        `RAMPART_TRUSTED_PROXIES entry "${proxy}" is not an IP address or CIDR range`,
      )
    }
  }
  const logLevel = str(env, file, 'RAMPART_LOG_LEVEL', 'info')
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`RAMPART_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`)
  }
  const appRole = str(env, file, 'RAMPART_DATABASE_APP_ROLE', 'rampart_app')
  if (!ROLE_NAME.test(appRole)) {
    throw new ConfigError('RAMPART_DATABASE_APP_ROLE must be a lower-case SQL identifier')
  }
  const publicUrlSet = optional(env, file, 'RAMPART_PUBLIC_URL')
  return {
    profile,
    dataDir,
    databaseUrl: optional(env, file, 'RAMPART_DATABASE_URL'),
    databaseMigrationUrl: optional(env, file, 'RAMPART_DATABASE_MIGRATION_URL'),
    databasePoolSize: int(env, file, 'RAMPART_DATABASE_POOL_SIZE', 10, 1, 1_000),
    databaseAppRole: appRole,
    host,
    httpsPort,
    httpRedirectPort: int(env, file, 'RAMPART_HTTP_REDIRECT_PORT', 8080, 0, 65_535),
    plainHttp,
    publicUrl: url(
      'RAMPART_PUBLIC_URL',
      publicUrlSet ?? `${plainHttp ? 'http' : 'https'}://localhost:${httpsPort}`,
    ),
    publicUrlConfigured: publicUrlSet !== undefined,
    tls: {
      certFile: resolve(str(env, file, 'RAMPART_TLS_CERT_FILE', `${dataDir}/tls/dev-cert.pem`)),
      keyFile: resolve(str(env, file, 'RAMPART_TLS_KEY_FILE', `${dataDir}/tls/dev-key.pem`)),
    },
    keys: {
      provider: keyProvider,
      masterKeyFile: resolve(
        str(env, file, 'RAMPART_MASTER_KEY_FILE', `${dataDir}/keys/master.key`),
      ),
      allowFileProviderInProd: bool(env, file, 'RAMPART_ALLOW_FILE_KEY_PROVIDER', false),
      pkcs11: {
        library: optional(env, file, 'RAMPART_PKCS11_LIBRARY'),
        tokenLabel: optional(env, file, 'RAMPART_PKCS11_TOKEN_LABEL'),
        pin: pkcs11Pin(env, file),
        keyLabelPrefix: str(env, file, 'RAMPART_PKCS11_KEY_LABEL', 'rampart-master'),
      },
      storeUrl: optional(env, file, 'RAMPART_KEYSTORE_URL'),
      storeDir: resolve(str(env, file, 'RAMPART_KEYSTORE_DIR', `${dataDir}/keystore`)),
      backupDir: resolve(
        str(env, file, 'RAMPART_KEYSTORE_BACKUP_DIR', `${dataDir}/keystore-backups`),
      ),
      backupRetentionDays: int(env, file, 'RAMPART_KEYSTORE_BACKUP_RETENTION_DAYS', 35, 1, 3_650),
      cache: {
        ttlMs: int(env, file, 'RAMPART_KEY_CACHE_TTL_MS', 60_000, 1_000, 3_600_000),
        maxUses: int(env, file, 'RAMPART_KEY_CACHE_MAX_USES', 100_000, 1, 1_000_000_000),
      },
    },
    audit: {
      signingKeyFile: resolve(
        str(env, file, 'RAMPART_AUDIT_SIGNING_KEY_FILE', `${dataDir}/keys/audit-signing.pem`),
      ),
      witnessDir: resolve(str(env, file, 'RAMPART_AUDIT_WITNESS_DIR', `${dataDir}/witness`)),
      checkpointIntervalMs: int(
        env,
        file,
        'RAMPART_AUDIT_CHECKPOINT_INTERVAL_MS',
        // Sequencing and signing run on this tick: 500 ms keeps "checkpointed within a second".
        500,
        100,
        60_000,
      ),
    },
    regions,
    defaultRegion,
    tenantDeletion: {
      delayDays: int(env, file, 'RAMPART_TENANT_DELETION_DELAY_DAYS', 7, 0, 365),
    },
    accessReview: accessReviewConfig(env, file),
    data: dataConfig(env, file),
    session: {
      // IAM-6 defaults: idle 30 minutes, absolute 12 hours.
      idleTimeoutSeconds: int(env, file, 'RAMPART_SESSION_IDLE_TIMEOUT', 30 * 60, 60),
      absoluteTimeoutSeconds: int(env, file, 'RAMPART_SESSION_ABSOLUTE_TIMEOUT', 12 * 60 * 60, 60),
      stepUpSeconds: int(env, file, 'RAMPART_STEP_UP_MAX_AGE', 10 * 60, 30, 24 * 60 * 60),
      mfaChallengeSeconds: int(env, file, 'RAMPART_MFA_CHALLENGE_TTL', 5 * 60, 30, 60 * 60),
    },
    lockout: {
      threshold: int(env, file, 'RAMPART_LOCKOUT_THRESHOLD', 5, 1, 100),
      baseSeconds: int(env, file, 'RAMPART_LOCKOUT_BASE_SECONDS', 60, 1, 86_400),
      maxSeconds: int(env, file, 'RAMPART_LOCKOUT_MAX_SECONDS', 3_600, 1, 604_800),
    },
    mail: mailConfig(env, file, dataDir),
    passwordReset: {
      // IAM-2: a reset link works for 30 minutes; at most 3 reset mails per account per hour.
      tokenTtlSeconds: int(env, file, 'RAMPART_PASSWORD_RESET_TTL', 30 * 60, 60, 86_400),
      maxPerAccountPerHour: int(env, file, 'RAMPART_PASSWORD_RESET_MAX_PER_HOUR', 3, 1, 100),
    },
    limits: {
      // SEC-4: small bodies and headers, and timeouts that drop slow clients.
      bodyBytes: int(env, file, 'RAMPART_BODY_LIMIT', 64 * 1024, 1_024),
      headerBytes: int(env, file, 'RAMPART_HEADER_LIMIT', 16 * 1024, 1_024),
      requestTimeoutMs: int(env, file, 'RAMPART_REQUEST_TIMEOUT_MS', 30_000, 1_000),
      headersTimeoutMs: int(env, file, 'RAMPART_HEADERS_TIMEOUT_MS', 10_000, 1_000),
      keepAliveTimeoutMs: int(env, file, 'RAMPART_KEEP_ALIVE_TIMEOUT_MS', 5_000, 1_000),
    },
    rateLimit: {
      globalMax: int(env, file, 'RAMPART_RATE_LIMIT_GLOBAL', 600, 1),
      signInMax: int(env, file, 'RAMPART_RATE_LIMIT_SIGN_IN', 20, 1),
      signUpMax: int(env, file, 'RAMPART_RATE_LIMIT_SIGN_UP', 5, 1),
      passwordResetMax: int(env, file, 'RAMPART_RATE_LIMIT_PASSWORD_RESET', 10, 1),
      windowMs: int(env, file, 'RAMPART_RATE_LIMIT_WINDOW_MS', 60_000, 1_000),
    },
    corsOrigins: list(env, file, 'RAMPART_CORS_ORIGINS', []),
    trustProxy: trustProxy.length === 0 ? false : trustProxy,
    logLevel,
    metricsToken: optional(env, file, 'RAMPART_METRICS_TOKEN'),
  }
}

/** Builds the configuration and enforces the profile's rules (SEC-7). */
export function loadConfig(env: Env = process.env): Config {
  const config = parseConfig(env)
  checkProfile(config)
  return config
}

export { ConfigError }
