// IAM-3, SEC-4: reset mails are limited per account (3 an hour: more requests still get 202 but
// send nothing) and reset requests per client address (429 past the limit).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signUp } from '../../../test/support/app.ts'
import {
  confirmReset,
  createResetTestApp,
  mailsTo,
  type ResetTestApp,
  requestReset,
} from './password-reset.test-support.ts'

let t: ResetTestApp
beforeAll(async () => {
  t = await createResetTestApp({
    RAMPART_PASSWORD_RESET_MAX_PER_HOUR: '3',
    RAMPART_RATE_LIMIT_PASSWORD_RESET: '8',
  })
})
afterAll(() => t.close())

describe('password reset limits', () => {
  it('IAM-3: at most 3 reset mails per account per hour; a 4th request gets the same 202 and no mail', async () => {
    const acme = await signUp(t.app)
    const payload = { tenant: acme.tenant.slug, email: acme.owner.email }
    const responses = []
    for (let i = 0; i < 4; i++) responses.push(await requestReset(t.app, payload))
    expect(responses.map((r) => r.statusCode)).toEqual([202, 202, 202, 202])
    expect(new Set(responses.map((r) => r.body)).size).toBe(1)
    await t.deliver()
    expect(mailsTo(t.smtp, acme.owner.email)).toHaveLength(3)
    const tokens = await t.database.handle.db
      .selectFrom('password_reset_tokens')
      .select('id')
      .where('user_id', '=', acme.owner.id)
      .execute()
    expect(tokens).toHaveLength(3)
  })

  it('SEC-4: past the per-address limit, requests and confirmations get 429 RATE_LIMITED', async () => {
    // The first test used 4 of the 8 requests this address may make to the request route.
    const requests = []
    for (let i = 0; i < 5; i++) {
      requests.push(await requestReset(t.app, { tenant: 'no-such-org', email: `x${i}@y.example` }))
    }
    expect(requests.map((r) => r.statusCode)).toEqual([202, 202, 202, 202, 429])
    expect(requests[4]?.json().error.code).toBe('RATE_LIMITED')
    const confirms = []
    for (let i = 0; i < 9; i++) {
      confirms.push(await confirmReset(t.app, { token: 'A'.repeat(43), newPassword: 'x' }))
    }
    expect(confirms.slice(0, 8).every((r) => r.statusCode === 400)).toBe(true)
    expect(confirms[8]?.statusCode).toBe(429)
  })
})
