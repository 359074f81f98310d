// IAM-1: an invitation token creates exactly one account, once: parallel acceptances of one token
// create one user; a used, revoked, superseded or expired token, a token of a locked organisation
// and any made-up token all get the one IDENTITY_INVITATION_TOKEN_INVALID.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signUp } from '../../../test/support/app.ts'
import { sequencePending } from '../audit/audit.service.ts'
import { PLATFORM_LOG } from '../audit/events.ts'
import {
  call,
  createMembersTestApp,
  invite,
  type MembersTestApp,
  ownerOf,
} from './members.test-support.ts'
import { newSessionToken } from './tokens.ts'

let t: MembersTestApp
beforeAll(async () => {
  t = await createMembersTestApp()
})
afterAll(() => t.close())

const inspect = (token: unknown) =>
  call(t, undefined, 'POST', '/api/v1/invitations/inspect', { token })
const accept = (token: unknown, password = 'amber-Falcon-93-slowly-Harvest') =>
  call(t, undefined, 'POST', '/api/v1/invitations/accept', { token, password })

function expectInvalid(res: { statusCode: number; json(): { error: { code: string } } }) {
  expect(res.statusCode).toBe(400)
  expect(res.json().error.code).toBe('IDENTITY_INVITATION_TOKEN_INVALID')
}

async function usersWithEmail(tenantId: string, email: string): Promise<number> {
  const rows = await t.database.handle.db
    .selectFrom('users')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('email_normalized', '=', email)
    .execute()
  return rows.length
}

describe('IAM-1 invitation tokens work once', () => {
  it('IAM-1: of 5 parallel acceptances of one token exactly one creates a user', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const email = `parallel@${org.tenant.slug}.example`
    const { token } = await invite(t, owner.session, email)
    const passwords = [1, 2, 3, 4, 5].map((n) => `parallel-Orchard-${n}7-drifting-Kite`)
    const results = await Promise.all(passwords.map((p) => accept(token, p)))
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1)
    for (const r of results.filter((r) => r.statusCode !== 201)) expectInvalid(r)
    expect(await usersWithEmail(org.tenant.id, email)).toBe(1)
    const row = await t.database.handle.db
      .selectFrom('invitations')
      .select(['accepted_at', 'accepted_user_id'])
      .where('email_normalized', '=', email)
      .executeTakeFirstOrThrow()
    expect(row.accepted_at).toBeInstanceOf(Date)
    expect(row.accepted_user_id).toBe(results.find((r) => r.statusCode === 201)?.json().user.id)
  })

  it('IAM-1: a used token is refused, for inspection and acceptance alike', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const { token } = await invite(t, owner.session, `once@${org.tenant.slug}.example`)
    expect((await accept(token)).statusCode).toBe(201)
    expectInvalid(await inspect(token))
    expectInvalid(await accept(token, 'another-Lantern-58-softly-Meadow'))
  })

  it('IAM-1: an expired token gets the same answer, and creates nobody', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const email = `expired@${org.tenant.slug}.example`
    const { id, token } = await invite(t, owner.session, email)
    await t.database.handle.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', id)
      .execute()
    expectInvalid(await inspect(token))
    expectInvalid(await accept(token))
    expect(await usersWithEmail(org.tenant.id, email)).toBe(0)
  })

  it('IAM-1: revoked and superseded tokens get the same answer', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const revoked = await invite(t, owner.session, `revoked@${org.tenant.slug}.example`)
    await call(t, owner.session, 'DELETE', `/api/v1/invitations/${revoked.id}`)
    expectInvalid(await accept(revoked.token))
    const resent = await invite(t, owner.session, `resent@${org.tenant.slug}.example`)
    await call(t, owner.session, 'POST', `/api/v1/invitations/${resent.id}/resend`)
    expectInvalid(await accept(resent.token))
  })

  it('IAM-1: made-up tokens, session tokens and junk get the same answer', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    for (const token of [
      newSessionToken(),
      owner.session.token,
      'x',
      'é'.repeat(43),
      "' OR 1=1 --",
    ]) {
      expectInvalid(await inspect(token))
      expectInvalid(await accept(token))
    }
  })

  it('IAM-1, DATA-4: an organisation pending deletion refuses its invitations, and honours them again if the deletion is cancelled', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const email = `locked@${org.tenant.slug}.example`
    const { token } = await invite(t, owner.session, email)
    const lock = (locked: boolean) =>
      t.database.handle.db
        .updateTable('tenants')
        .set(
          locked
            ? {
                status: 'pending_deletion',
                deletion_requested_at: new Date(),
                deletion_due_at: new Date(Date.now() + 86_400_000),
                status_before_deletion: 'active',
              }
            : {
                status: 'active',
                deletion_requested_at: null,
                deletion_due_at: null,
                status_before_deletion: null,
              },
        )
        .where('id', '=', org.tenant.id)
        .execute()
    await lock(true)
    expectInvalid(await inspect(token))
    expectInvalid(await accept(token))
    expect(await usersWithEmail(org.tenant.id, email)).toBe(0)
    await lock(false)
    expect((await accept(token)).statusCode).toBe(201)
  })

  it('LOG-1: refused acceptances are audited in the platform log, without the token or address', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const { token } = await invite(t, owner.session, `audited@${org.tenant.slug}.example`)
    await accept(token)
    await accept(token)
    await sequencePending(t.database.handle)
    const rows = await t.database.handle.db
      .selectFrom('audit_entries')
      .select('event')
      .where('tenant_id', '=', PLATFORM_LOG)
      .execute()
    const refusals = rows
      .map((r) => r.event)
      .filter((e) => e.includes('"invitation.accept"') && e.includes('"failure"'))
    expect(refusals.length).toBeGreaterThan(0)
    expect(refusals.some((e) => e.includes('"invalid_token"'))).toBe(true)
    for (const e of refusals) {
      expect(e).not.toContain(token)
      expect(e).not.toContain('audited@')
    }
  })
})
