// IAM-4, IAM-6: an owner or admin resets a user's second factors (a lost phone): every factor
// goes, every session of the user ends at once, the user is told; an admin cannot reset an owner,
// nobody resets their own this way, and another organisation's users are not found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, signInBearer, signUp } from '../../../test/support/app.ts'
import {
  addMember,
  createMfaTestApp,
  enableTotp,
  type MfaTestApp,
  mfaStateOf,
  newRecoveryCodes,
} from './mfa.test-support.ts'

let t: MfaTestApp

beforeAll(async () => {
  t = await createMfaTestApp()
})
afterAll(() => t.close())

function reset(actor: SignedIn, userId: string) {
  return t.app.inject({
    method: 'DELETE',
    url: `/api/v1/users/${userId}/mfa`,
    headers: actor.authorization,
  })
}

async function promote(userId: string, role: 'admin' | 'owner'): Promise<void> {
  await t.database.handle.db.updateTable('users').set({ role }).where('id', '=', userId).execute()
}

describe('IAM-4 MFA reset by an administrator', () => {
  it("IAM-6: the reset removes every factor and ends all the user's sessions at once; the user is mailed", async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const member = await addMember(t, org)
    await enableTotp(t, member.session)
    await newRecoveryCodes(t, member.session)
    const res = await reset(owner, member.id)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().revokedSessions).toBe(1)
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: member.session.authorization,
    })
    expect(me.statusCode).toBe(401)
    const left = await t.database.handle.db
      .selectFrom('mfa_totp')
      .select('id')
      .where('user_id', '=', member.id)
      .execute()
    expect(left).toEqual([])
    const again = await signInBearer(t.app, {
      ...org,
      owner: { ...org.owner, email: member.email },
    })
    expect(await mfaStateOf(t, again)).toMatchObject({
      totp: null,
      recoveryCodes: { remaining: 0 },
    })
    const mail = await t.database.handle.db
      .selectFrom('mail_outbox')
      .select(['template', 'to_address'])
      .where('tenant_id', '=', org.tenant.id)
      .where('template', '=', 'mfa_reset')
      .execute()
    expect(mail).toHaveLength(1)
    const events = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit/events?action=mfa.reset',
      headers: owner.authorization,
    })
    expect(events.json().events[0]).toMatchObject({
      actor: { type: 'user', id: org.owner.id },
      target: { type: 'user', id: member.id },
    })
  })

  it('IAM-7: an admin cannot reset an owner; an owner can reset an admin', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const admin = await addMember(t, org)
    await promote(admin.id, 'admin')
    await enableTotp(t, owner)
    const refused = await reset(admin.session, org.owner.id)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().error.code).toBe('MFA_OWNER_RESET_FORBIDDEN')
    expect((await mfaStateOf(t, owner)).totp?.enabled).toBe(true)
    await enableTotp(t, admin.session)
    expect((await reset(owner, admin.id)).statusCode).toBe(200)
  })

  it('AUTHZ-1: members cannot reset anyone; nobody resets their own; unknown ids and nothing to reset are clear', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const member = await addMember(t, org)
    const other = await addMember(t, org)
    await enableTotp(t, other.session)
    expect((await reset(member.session, other.id)).statusCode).toBe(403)
    expect((await reset(owner, org.owner.id)).json().error.code).toBe('MFA_RESET_SELF')
    expect((await reset(owner, member.id)).json().error.code).toBe('MFA_NOTHING_TO_RESET')
    const stranger = await signUp(t.app)
    const notFound = await reset(owner, stranger.owner.id)
    expect(notFound.statusCode).toBe(404)
    expect(notFound.json().error.code).toBe('MFA_USER_NOT_FOUND')
    expect((await reset(owner, 'not-a-uuid')).statusCode).toBe(400)
  })
})
