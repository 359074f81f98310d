// Test support for the IAM-6 device suites: users of any role inserted directly, sign-ins from a
// chosen browser and address (bearer or cookie), and a tenant's audit events.
import { randomUUID } from 'node:crypto'
import type { InjectOptions } from 'fastify'
import { type SignedUp, STRONG_PASSWORD, type TestApp } from '../../../test/support/app.ts'
import { withTenant } from '../../db/tenant.ts'
import { SESSION_COOKIE } from '../../http/session-auth.ts'
import { sequencePending } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import { hashPassword } from './passwords.ts'
import { insertUser } from './users.repository.ts'
import type { UserRole } from './users.table.ts'

export const FIREFOX_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0'
export const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'

export interface Member {
  id: string
  email: string
  role: UserRole
}

/** A signed-in session, usable as bearer or cookie client alike through `headers`/`cookies`. */
export interface Session {
  sessionId: string
  token: string
  /** Spread into an inject call: the bearer header, or the cookie plus its CSRF header. */
  auth: Pick<InjectOptions, 'headers' | 'cookies'>
}

/** Inserts a user of `role` with the test password, straight into the organisation. */
export async function addUser(
  t: Pick<TestApp, 'database'>,
  org: SignedUp,
  role: UserRole,
): Promise<Member> {
  const email = `${role}-${randomUUID().slice(0, 8)}@${org.tenant.slug}.example`
  const passwordHash = await hashPassword(STRONG_PASSWORD)
  const row = await withTenant(t.database.handle, org.tenant.id, (trx) =>
    insertUser(trx, {
      id: randomUUID(),
      tenant_id: org.tenant.id,
      email,
      email_normalized: email,
      password_hash: passwordHash,
      role,
      last_sign_in_at: null,
    }),
  )
  return { id: row.id, email, role }
}

export interface SignInOptions {
  mode?: 'bearer' | 'cookie'
  userAgent?: string
  ip?: string
  password?: string
}

/** Signs `email` in through the API, from the given browser and address. */
export async function signInFrom(
  t: TestApp,
  org: SignedUp,
  email: string,
  options: SignInOptions = {},
): Promise<Session> {
  const mode = options.mode ?? 'bearer'
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    remoteAddress: options.ip ?? '127.0.0.1',
    headers: options.userAgent ? { 'user-agent': options.userAgent } : {},
    payload: {
      tenant: org.tenant.slug,
      email,
      password: options.password ?? STRONG_PASSWORD,
      mode,
    },
  })
  if (res.statusCode !== 201) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`)
  const body = res.json() as { token?: string; csrfToken?: string; session: { id: string } }
  if (mode === 'bearer') {
    const token = body.token as string
    return {
      sessionId: body.session.id,
      token,
      auth: { headers: { authorization: `Bearer ${token}` } },
    }
  }
  const token = res.cookies.find((c) => c.name === SESSION_COOKIE)?.value as string
  return {
    sessionId: body.session.id,
    token,
    auth: {
      cookies: { [SESSION_COOKIE]: token },
      headers: { 'x-csrf-token': body.csrfToken as string },
    },
  }
}

/** The organisation's audit events, oldest first (queued ones sequenced first). */
export async function auditEventsOf(t: TestApp, tenantId: string): Promise<AuditEvent[]> {
  await sequencePending(t.database.handle)
  const rows = await t.database.handle.db
    .selectFrom('audit_entries')
    .select('event')
    .where('tenant_id', '=', tenantId)
    .orderBy('idx')
    .execute()
  return rows.map((r) => JSON.parse(r.event) as AuditEvent)
}

/** The stored session row, read on the owner connection (tests only). */
export function sessionRow(t: TestApp, id: string) {
  return t.database.handle.db
    .selectFrom('sessions')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
}

/** GET /api/v1/me with the session: 200 while it lives, 401 once revoked. */
export async function meStatus(t: TestApp, session: Session): Promise<number> {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/me', ...session.auth })
  return res.statusCode
}
