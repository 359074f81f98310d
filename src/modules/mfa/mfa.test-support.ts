// Test support for the MFA suites: an app whose keyring and log lines the test holds too, users of
// one organisation signed in side by side, TOTP codes computed by otpauth from the secret an
// enrolment returned, and the organisation's audit events.
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { Secret, TOTP } from 'otpauth'
import {
  type SignedIn,
  type SignedUp,
  STRONG_PASSWORD,
  signInBearer,
  testConfig,
} from '../../../test/support/app.ts'
import { openTestDatabase, type TestDatabase } from '../../../test/support/database.ts'
import { type App, buildApp } from '../../app.ts'
import type { ServiceContext } from '../../context.ts'
import { type KeyServices, openKeyServices } from '../../crypto/key-services.ts'
import { withTenant } from '../../db/tenant.ts'
import { loggerOptions } from '../../http/logging.ts'
import type { AuditEvent } from '../audit/events.ts'
import { hashPassword } from '../identity/passwords.ts'

export interface MfaTestApp {
  app: App
  /** The app's own context: same database handle and keyring. */
  ctx: ServiceContext
  keys: KeyServices
  database: TestDatabase
  /** Every log line the app wrote, as text. */
  logText(): string
  close(): Promise<void>
}

export async function createMfaTestApp(): Promise<MfaTestApp> {
  const config = testConfig()
  const database = await openTestDatabase()
  const keys = await openKeyServices(config.keys)
  const lines: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'))
      done()
    },
  })
  const logger = { ...(loggerOptions('debug') as object), stream }
  const app = await buildApp({ config, db: database.handle, logger, keys })
  await app.ready()
  return {
    app,
    ctx: { config, db: database.handle, keys: keys.keyring },
    keys,
    database,
    logText: () => lines.join(''),
    async close() {
      await app.close()
      await keys.close()
      await database.dispose()
    },
  }
}

export interface Member {
  id: string
  email: string
  session: SignedIn
}

/** Another member of the organisation, signed in as a bearer client. */
export async function addMember(t: MfaTestApp, org: SignedUp): Promise<Member> {
  const id = randomUUID()
  const email = `member-${id.slice(0, 8)}@${org.tenant.slug}.example`
  const passwordHash = await hashPassword(STRONG_PASSWORD)
  await withTenant(t.database.handle, org.tenant.id, (trx) =>
    trx
      .insertInto('users')
      .values({
        id,
        tenant_id: org.tenant.id,
        email,
        email_normalized: email,
        password_hash: passwordHash,
        role: 'member',
        last_sign_in_at: null,
      })
      .execute(),
  )
  const session = await signInBearer(t.app, { ...org, owner: { ...org.owner, email } })
  return { id, email, session }
}

/** The code an authenticator app configured from `base32` shows `stepsFromNow` steps away. */
export function codeFor(base32: string, stepsFromNow = 0): string {
  return TOTP.generate({
    secret: Secret.fromBase32(base32),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    timestamp: Date.now() + stepsFromNow * 30_000,
  })
}

export interface Enrolment {
  otpauthUri: string
  qrCode: string
  secret: string
}

export function startEnrolment(t: MfaTestApp, who: SignedIn) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/me/mfa/totp',
    headers: who.authorization,
  })
}

export function confirm(t: MfaTestApp, who: SignedIn, code: unknown) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/me/mfa/totp/confirm',
    headers: who.authorization,
    payload: { code },
  })
}

/** Enrols and confirms an authenticator for `who`; returns the base32 secret. */
export async function enableTotp(t: MfaTestApp, who: SignedIn): Promise<string> {
  const started = await startEnrolment(t, who)
  if (started.statusCode !== 201) throw new Error(`enrolment failed: ${started.body}`)
  const { secret } = started.json() as Enrolment
  const confirmed = await confirm(t, who, codeFor(secret))
  if (confirmed.statusCode !== 200) throw new Error(`confirmation failed: ${confirmed.body}`)
  return secret
}

export async function mfaStateOf(t: MfaTestApp, who: SignedIn) {
  const res = await t.app.inject({
    method: 'GET',
    url: '/api/v1/me/mfa',
    headers: who.authorization,
  })
  if (res.statusCode !== 200) throw new Error(`state read failed: ${res.body}`)
  return res.json() as {
    totp: { enabled: boolean; confirmedAt: string | null } | null
    recoveryCodes: { remaining: number }
    passkeys: { count: number }
  }
}

export async function newRecoveryCodes(t: MfaTestApp, who: SignedIn): Promise<string[]> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/me/mfa/recovery-codes',
    headers: who.authorization,
  })
  if (res.statusCode !== 201) throw new Error(`generation failed: ${res.body}`)
  return (res.json() as { codes: string[] }).codes
}

/**
 * The organisation's audit events, oldest first, with their JSON text, read through the audit API
 * as `who` (an owner).
 */
export async function auditEventsOf(
  t: MfaTestApp,
  who: SignedIn,
): Promise<(AuditEvent & { text: string })[]> {
  const res = await t.app.inject({
    method: 'GET',
    url: '/api/v1/audit/events?limit=500',
    headers: who.authorization,
  })
  if (res.statusCode !== 200) throw new Error(`audit read failed: ${res.statusCode} ${res.body}`)
  const { events } = res.json() as { events: AuditEvent[] }
  return events.reverse().map((e) => ({ ...e, text: JSON.stringify(e) }))
}

/** The user's stored TOTP row, read on the owner connection (tests only). */
export async function storedTotp(t: MfaTestApp, userId: string) {
  return t.database.handle.db
    .selectFrom('mfa_totp')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst()
}
