// IAM-3: a password reset request answers the same, after the same look-ups, for an existing
// account, an unknown address, an unknown organisation and a deactivated user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../../../test/support/app.ts'
import {
  createResetTestApp,
  mailsTo,
  type ResetTestApp,
  requestReset,
} from './password-reset.test-support.ts'

let t: ResetTestApp
let acme: SignedUp
let gone: SignedUp
beforeAll(async () => {
  t = await createResetTestApp()
  acme = await signUp(t.app)
  gone = await signUp(t.app)
  await t.database.handle.db
    .updateTable('users')
    .set({ status: 'deactivated' })
    .where('id', '=', gone.owner.id)
    .execute()
})
afterAll(() => t.close())

/** What a caller can compare: status, body and headers other than per-request ones. */
function visible(res: Awaited<ReturnType<typeof requestReset>>) {
  const {
    date: _date,
    'x-request-id': _id,
    'x-ratelimit-remaining': _remaining,
    'x-ratelimit-reset': _reset,
    ...headers
  } = res.headers
  return JSON.stringify({ status: res.statusCode, body: res.body, headers })
}

/** Median duration of each variant, run interleaved so drift in machine load hits all alike. */
async function interleavedMediansMs(variants: (() => Promise<unknown>)[], runs = 15) {
  const times = variants.map(() => [] as number[])
  for (let i = 0; i < runs; i++) {
    for (const [v, fn] of variants.entries()) {
      const start = performance.now()
      await fn()
      times[v]?.push(performance.now() - start)
    }
  }
  return times.map((list) => list.sort((a, b) => a - b)[Math.floor(runs / 2)] as number)
}

describe('password reset requests reveal nothing', () => {
  it('IAM-3: same status, body and headers for a real account, an unknown address, an unknown organisation and a deactivated user', async () => {
    const responses = await Promise.all([
      requestReset(t.app, { tenant: acme.tenant.slug, email: acme.owner.email }),
      requestReset(t.app, { tenant: acme.tenant.slug, email: 'nobody@nowhere.example' }),
      requestReset(t.app, { tenant: 'no-such-org', email: acme.owner.email }),
      requestReset(t.app, { tenant: gone.tenant.slug, email: gone.owner.email }),
    ])
    expect(responses[0]?.statusCode).toBe(202)
    expect(new Set(responses.map(visible)).size).toBe(1)
    expect(responses[0]?.cookies).toHaveLength(0)
    await t.deliver()
    expect(mailsTo(t.smtp, acme.owner.email)).toHaveLength(1)
    expect(mailsTo(t.smtp, gone.owner.email)).toHaveLength(0)
  })

  it('IAM-3: an unknown address or organisation takes about as long as a real account', async () => {
    const [real, unknownEmail, unknownTenant] = (await interleavedMediansMs([
      () => requestReset(t.app, { tenant: acme.tenant.slug, email: acme.owner.email }),
      () => requestReset(t.app, { tenant: acme.tenant.slug, email: 'nobody@nowhere.example' }),
      () => requestReset(t.app, { tenant: 'no-such-org', email: acme.owner.email }),
    ])) as [number, number, number]
    expect(unknownEmail / real).toBeGreaterThan(0.5)
    expect(unknownTenant / real).toBeGreaterThan(0.5)
  })
})
