// LOG-1, LOG-6: every action so far writes its audit event, failures included, and no stored event
// holds an e-mail address, a name, a slug, a password or a token.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedUp,
  signInBearer,
  signUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { sequencePending } from './audit.service.ts'
import { type AuditEvent, AuditEventInvalid, PLATFORM_LOG, serializeEvent } from './events.ts'

let t: TestApp
let acme: SignedUp
const secrets: string[] = []

async function eventsOf(tenantId: string) {
  await sequencePending(t.database.handle)
  const rows = await t.database.handle.db
    .selectFrom('audit_entries')
    .select(['idx', 'event'])
    .where('tenant_id', '=', tenantId)
    .orderBy('idx')
    .execute()
  return rows.map((r) => JSON.parse(r.event) as Record<string, unknown> & { action: string })
}

beforeAll(async () => {
  t = await createTestApp()
  acme = await signUp(t.app, { organisationName: 'Zoë Secret Holdings' })
  const signIn = (body: object) =>
    t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: body })
  await signIn({ tenant: 'no-such-org-x', email: acme.owner.email, password: acme.password })
  await signIn({
    tenant: acme.tenant.slug,
    email: 'ghost@nowhere.example',
    password: acme.password,
  })
  await signIn({
    tenant: acme.tenant.slug,
    email: acme.owner.email,
    password: 'Wrong-password-123',
  })
  const bearer = await signInBearer(t.app, acme)
  await t.app.inject({
    method: 'DELETE',
    url: '/api/v1/sessions/current',
    headers: bearer.authorization,
  })
  const idle = await signInBearer(t.app, acme)
  await sql`UPDATE sessions SET last_seen_at = now() - interval '1 day' WHERE id = ${idle.sessionId}`.execute(
    t.database.handle.db,
  )
  await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: idle.authorization })
  secrets.push(
    acme.owner.email,
    'ghost@nowhere.example',
    'Zoë Secret Holdings',
    acme.tenant.slug,
    'no-such-org-x',
    acme.password,
    'Wrong-password-123',
    bearer.token,
    idle.token,
  )
})
afterAll(() => t.close())

describe('audit events', () => {
  it('LOG-1: sign-up, sign-ins, sign-out and expiry are in the tenant log, in order', async () => {
    const events = await eventsOf(acme.tenant.id)
    expect(events.map((e) => `${e.action}:${e.outcome}${e.reason ? `:${e.reason}` : ''}`)).toEqual([
      'tenant.create:success',
      'user.create:success',
      'key.create:success',
      'session.create:failure:unknown_user',
      'session.create:failure:invalid_password',
      'session.create:success:pwd',
      'session.revoke:success:sign_out',
      'session.create:success:pwd',
      'session.expire:success:idle_timeout',
    ])
    const wrongPassword = events[4] as Record<string, unknown>
    expect(wrongPassword.actor).toEqual({ type: 'user', id: acme.owner.id })
    expect(wrongPassword.source).toEqual({ ip: '127.0.0.1' })
    expect(wrongPassword.requestId).toMatch(/^req-/)
    expect(events.every((e) => typeof e.time === 'string' && e.v === 1)).toBe(true)
  })

  it('LOG-1: a sign-in for an unknown organisation is recorded in the platform log', async () => {
    const platform = await eventsOf(PLATFORM_LOG)
    expect(platform.at(-1)).toMatchObject({
      action: 'session.create',
      outcome: 'failure',
      reason: 'unknown_tenant',
      actor: { type: 'anonymous' },
    })
  })

  it('LOG-6: no stored event holds an e-mail address, name, slug, password or token', async () => {
    await sequencePending(t.database.handle)
    const all = await t.database.handle.db.selectFrom('audit_entries').select('event').execute()
    const text = all.map((r) => r.event).join('\n')
    expect(all.length).toBeGreaterThan(8)
    for (const secret of secrets) expect(text).not.toContain(secret)
    expect(text).not.toMatch(/[^\s"@]+@[^\s"@]+\.[a-z]+/i)
  })

  it.each([
    ['an unknown key', { email: 'a@b.example' }],
    ['an e-mail address as an id', { actor: { type: 'user', id: 'a@b.example' } }],
    ['a name as a target type', { target: { type: 'Zoë Secret Holdings' } }],
    ['a value in the field list', { fields: ['email=a@b.example'] }],
    ['a nested unknown key', { actor: { type: 'user', name: 'Zoë' } }],
  ])('LOG-6: the writer refuses %s', (_what, patch) => {
    const event = {
      category: 'iam',
      action: 'user.update',
      outcome: 'success',
      actor: { type: 'system' },
      ...patch,
    } as AuditEvent
    expect(() => serializeEvent(event)).toThrow(AuditEventInvalid)
  })

  it('LOG-2: a failed action that rolls back leaves no event behind', async () => {
    const before = (await eventsOf(acme.tenant.id)).length
    const taken = await t.app.inject({
      method: 'POST',
      url: '/api/v1/signup',
      payload: {
        organisationName: 'Again',
        slug: acme.tenant.slug,
        ownerEmail: 'again@x.example',
        ownerPassword: acme.password,
      },
    })
    expect(taken.statusCode).toBe(409)
    expect((await eventsOf(acme.tenant.id)).length).toBe(before)
  })
})
