// IAM-1, IAM-7, IAM-9: what a stolen session or a leaked key can no longer do. An invitation can
// make an admin or an owner, so it needs a session and a recent sign-in, as a role change does;
// and cutting a user off revokes their API keys, which reactivation does not bring back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signUp } from '../../../test/support/app.ts'
import { makeKey } from '../access/api-keys.test-support.ts'
import {
  addUser,
  ageSession,
  call,
  createMembersTestApp,
  type MembersTestApp,
  ownerOf,
} from './members.test-support.ts'

let t: MembersTestApp

beforeAll(async () => {
  t = await createMembersTestApp()
})
afterAll(async () => {
  await t?.close()
})

describe('stale sessions and keys against membership', () => {
  it('IAM-7: inviting (and re-sending) needs a recent sign-in: a stale session plants nobody', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    await ageSession(t, owner.session, 11)
    const res = await call(t, owner.session, 'POST', '/api/v1/invitations', {
      email: 'mallory@attacker.example',
      role: 'owner',
    })
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('IDENTITY_STEP_UP_REQUIRED')
    const list = await call(t, owner.session, 'GET', '/api/v1/invitations')
    expect(list.json().invitations).toEqual([])
  })

  it('IAM-9: an API key cannot invite, whatever its scope', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const key = await makeKey(t.app, owner.session, ['users.invite', 'users.read'])
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      headers: key.authorization,
      payload: { email: 'mallory@attacker.example', role: 'admin' },
    })
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('AUTH_SESSION_REQUIRED')
  })

  it("IAM-6, IAM-9: deactivation revokes the user's API keys; reactivation does not revive them", async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const admin = await addUser(t, org, 'admin')
    const key = await makeKey(t.app, admin.session, ['audit.read'])
    const read = () =>
      t.app.inject({ method: 'GET', url: '/api/v1/audit/events', headers: key.authorization })
    expect((await read()).statusCode).toBe(200)
    const off = await call(t, owner.session, 'POST', `/api/v1/users/${admin.id}/deactivate`)
    expect(off.statusCode).toBe(200)
    expect((await read()).statusCode).toBe(401)
    const on = await call(t, owner.session, 'POST', `/api/v1/users/${admin.id}/reactivate`)
    expect(on.statusCode).toBe(200)
    expect((await read()).statusCode).toBe(401)
    const keys = await call(t, owner.session, 'GET', `/api/v1/api-keys?userId=${admin.id}`)
    expect(keys.json().apiKeys).toMatchObject([{ id: key.id, status: 'revoked' }])
    const log = await call(t, owner.session, 'GET', '/api/v1/audit/events?action=api_key.revoke')
    expect(log.json().events).toMatchObject([
      { reason: 'user_deactivated', actor: { type: 'user', id: owner.id }, target: { id: key.id } },
    ])
  })

  it('SEC-3: an upper-case id is refused with 400, never a 500 or a near miss', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const key = await makeKey(t.app, owner.session, ['audit.read'])
    for (const url of [
      `/api/v1/me/api-keys/${key.id.toUpperCase()}`,
      `/api/v1/api-keys/${key.id.toUpperCase()}`,
      `/api/v1/groups/${key.id.toUpperCase()}`,
    ]) {
      const res = await call(t, owner.session, 'DELETE', url)
      expect(res.statusCode, url).toBe(400)
      expect(res.json().error.code).toBe('REQUEST_INVALID')
    }
    const still = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit/events',
      headers: key.authorization,
    })
    expect(still.statusCode).toBe(200)
  })
})
