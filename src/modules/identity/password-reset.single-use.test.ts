// IAM-2: a reset token works exactly once, even when confirmations with it race each other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signUp } from '../../../test/support/app.ts'
import {
  confirmReset,
  createResetTestApp,
  type ResetTestApp,
  resetTokenFor,
  signInWith,
} from './password-reset.test-support.ts'

let t: ResetTestApp
beforeAll(async () => {
  t = await createResetTestApp()
})
afterAll(() => t.close())

describe('parallel confirmations with one token', () => {
  it('IAM-2: of 5 parallel confirmations with one token exactly one succeeds, and its password holds', async () => {
    const acme = await signUp(t.app)
    const token = await resetTokenFor(t, acme)
    const passwords = [1, 2, 3, 4, 5].map((n) => `parallel-Orchard-${n}7-drifting-Kite`)
    const results = await Promise.all(
      passwords.map((newPassword) => confirmReset(t.app, { token, newPassword })),
    )
    const statuses = results.map((r) => r.statusCode)
    expect(statuses.filter((s) => s === 204)).toHaveLength(1)
    for (const r of results.filter((r) => r.statusCode !== 204)) {
      expect(r.statusCode).toBe(400)
      expect(r.json().error.code).toBe('IDENTITY_RESET_TOKEN_INVALID')
    }
    const winner = passwords[statuses.indexOf(204)] as string
    const signIns = await Promise.all(passwords.map((p) => signInWith(t.app, acme, p)))
    expect(signIns.map((r) => r.statusCode)).toEqual(
      passwords.map((p) => (p === winner ? 201 : 401)),
    )
    const rows = await t.database.handle.db
      .selectFrom('password_reset_tokens')
      .select(['used_at'])
      .where('user_id', '=', acme.owner.id)
      .execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]?.used_at).toBeInstanceOf(Date)
  })
})
