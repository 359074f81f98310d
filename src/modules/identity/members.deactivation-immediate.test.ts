// IAM-1, IAM-6: a deactivated user is out at once: the status and the revocation of every session
// commit together, so the very next request with any of their tokens is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signInBearer, signUp } from '../../../test/support/app.ts'
import {
  addUser,
  call,
  createMembersTestApp,
  type MembersTestApp,
  ownerOf,
} from './members.test-support.ts'

let t: MembersTestApp
beforeAll(async () => {
  t = await createMembersTestApp()
})
afterAll(() => t.close())

describe('deactivation cuts a user off at once', () => {
  it('IAM-6: every bearer token of the user is refused on the very next request, and stays refused after reactivation', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const member = await addUser(t, org, 'admin')
    const second = await signInBearer(t.app, member.as)
    expect((await call(t, member.session, 'GET', '/api/v1/me')).statusCode).toBe(200)
    const res = await call(t, owner.session, 'POST', `/api/v1/users/${member.id}/deactivate`)
    expect(res.statusCode, res.body).toBe(200)
    for (const session of [member.session, second]) {
      const next = await call(t, session, 'GET', '/api/v1/users')
      expect(next.statusCode).toBe(401)
      expect(next.json().error.code).toBe('AUTH_REQUIRED')
    }
    const rows = await t.database.handle.db
      .selectFrom('sessions')
      .select(['revoked_at', 'revoked_reason'])
      .where('user_id', '=', member.id)
      .execute()
    expect(rows).toHaveLength(2)
    for (const row of rows) {
      expect(row.revoked_at).toBeInstanceOf(Date)
      expect(row.revoked_reason).toBe('user-deactivated')
    }
    // Reactivation gives back the account, not the old sessions.
    await call(t, owner.session, 'POST', `/api/v1/users/${member.id}/reactivate`)
    expect((await call(t, member.session, 'GET', '/api/v1/me')).statusCode).toBe(401)
  })

  it('IAM-1: a deactivated user cannot sign in, nor use a reset link mailed before', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const member = await addUser(t, org, 'member')
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/password-reset',
      payload: { tenant: org.tenant.slug, email: member.email },
    })
    await call(t, owner.session, 'POST', `/api/v1/users/${member.id}/deactivate`)
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { tenant: org.tenant.slug, email: member.email, password: org.password },
    })
    expect(signIn.statusCode).toBe(401)
    const tokens = await t.database.handle.db
      .selectFrom('password_reset_tokens')
      .select('revoked_at')
      .where('user_id', '=', member.id)
      .execute()
    expect(tokens.length).toBe(1)
    expect(tokens[0]?.revoked_at).toBeInstanceOf(Date)
  })
})
