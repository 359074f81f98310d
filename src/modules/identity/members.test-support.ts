import type { InjectOptions } from 'fastify'
import { type SignedIn, type SignedUp, signInBearer } from '../../../test/support/app.ts'
import type { AuditEvent } from '../audit/events.ts'
import { addUser as insertUserWithRole } from './devices.test-support.ts'
import { createResetTestApp, mailsTo, type ResetTestApp } from './password-reset.test-support.ts'
import type { UserRole } from './users.table.ts'

export type MembersTestApp = ResetTestApp

/** An app with SMTP capture; the public invitation routes' limit is high unless `env` says. */
export function createMembersTestApp(env: Record<string, string> = {}): Promise<MembersTestApp> {
  return createResetTestApp({ RAMPART_PUBLIC_URL: 'https://rampart.example.com', ...env })
}

export interface TestUser {
  id: string
  email: string
  role: UserRole
  session: SignedIn
  /** The user as signInBearer takes it. */
  as: SignedUp
}

/** Any test app: adding a user needs only its Fastify instance and database. */
type AppWithDatabase = Pick<MembersTestApp, 'app' | 'database'>

/** Another user of the organisation, inserted directly with `role`, signed in as a bearer. */
export async function addUser(
  t: AppWithDatabase,
  org: SignedUp,
  role: UserRole = 'member',
): Promise<TestUser> {
  const { id, email } = await insertUserWithRole(t, org, role)
  const as = { ...org, owner: { id, email, role } }
  return { id, email, role, session: await signInBearer(t.app, as), as }
}

/** The organisation's owner as a TestUser, signed in afresh. */
export async function ownerOf(t: MembersTestApp, org: SignedUp): Promise<TestUser> {
  return {
    ...org.owner,
    role: 'owner',
    session: await signInBearer(t.app, org),
    as: org,
  }
}

export function call(
  t: MembersTestApp,
  who: SignedIn | undefined,
  method: InjectOptions['method'],
  url: string,
  payload?: unknown,
) {
  return t.app.inject({
    method,
    url,
    ...(who ? { headers: who.authorization } : {}),
    ...(payload === undefined ? {} : { payload: payload as object }),
  })
}

/** Makes the session's last authentication `minutes` old (stale for step-up after 10). */
export async function ageSession(
  t: MembersTestApp,
  session: SignedIn,
  minutes: number,
): Promise<void> {
  await t.database.handle.db
    .updateTable('sessions')
    .set({ authenticated_at: new Date(Date.now() - minutes * 60_000) })
    .where('id', '=', session.sessionId)
    .execute()
}

/** The token of the newest invitation link mailed to `email`, after delivering the outbox. */
export async function invitationTokenFor(t: MembersTestApp, email: string): Promise<string> {
  await t.deliver()
  const mail = mailsTo(t.smtp, email)
    .filter((m) => m.headers.get('subject')?.startsWith('You are invited'))
    .at(-1)
  const token = /\/accept-invitation#token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1]
  if (!token) throw new Error(`no invitation link mailed to ${email}`)
  return token
}

/** Invites `email` as `role` and returns the invitation id and the mailed token. */
export async function invite(
  t: MembersTestApp,
  by: SignedIn,
  email: string,
  role: UserRole = 'member',
): Promise<{ id: string; token: string }> {
  const res = await call(t, by, 'POST', '/api/v1/invitations', { email, role })
  if (res.statusCode !== 201) throw new Error(`invitation failed: ${res.statusCode} ${res.body}`)
  return { id: res.json().id, token: await invitationTokenFor(t, email) }
}

/** Active owners of the organisation, read on the owner connection. */
export async function activeOwners(t: MembersTestApp, tenantId: string): Promise<string[]> {
  const rows = await t.database.handle.db
    .selectFrom('users')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('role', '=', 'owner')
    .where('status', '=', 'active')
    .execute()
  return rows.map((r) => r.id)
}

/** The organisation's audit events, oldest first, each with its JSON text, via the audit API. */
export async function auditEvents(
  t: MembersTestApp,
  reader: SignedIn,
): Promise<(AuditEvent & { text: string })[]> {
  const res = await call(t, reader, 'GET', '/api/v1/audit/events?limit=500')
  if (res.statusCode !== 200) throw new Error(`audit read failed: ${res.statusCode} ${res.body}`)
  const { events } = res.json() as { events: AuditEvent[] }
  return events.reverse().map((e) => ({ ...e, text: JSON.stringify(e) }))
}
