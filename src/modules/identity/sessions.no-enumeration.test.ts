// IAM-3: unknown organisation, unknown e-mail and wrong password are indistinguishable to a caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/support/app.ts'

let t: TestApp
let acme: SignedUp
beforeAll(async () => {
  t = await createTestApp()
  acme = await signUp(t.app)
})
afterAll(() => t.close())

function attempt(tenant: string, email: string, password: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    payload: { tenant, email, password },
  })
}

/** Median duration of each variant, run interleaved so drift in machine load hits all alike. */
async function interleavedMediansMs(
  variants: (() => Promise<unknown>)[],
  runs = 9,
): Promise<number[]> {
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

describe('sign-in does not reveal which part was wrong', () => {
  it('IAM-3: same status, body and headers for unknown tenant, unknown e-mail and wrong password', async () => {
    const cases = await Promise.all([
      attempt('no-such-org', acme.owner.email, acme.password),
      attempt(acme.tenant.slug, 'nobody@nowhere.example', acme.password),
      attempt(acme.tenant.slug, acme.owner.email, `${acme.password}x`),
    ])
    for (const res of cases) {
      expect(res.statusCode).toBe(401)
      expect(res.cookies).toHaveLength(0)
    }
    const bodies = new Set(cases.map((r) => r.body))
    expect(bodies.size).toBe(1)
    expect(JSON.parse([...bodies][0] as string).error.code).toBe('IDENTITY_INVALID_CREDENTIALS')
  })

  it('IAM-3: an unknown e-mail costs a password hash like a wrong password does', async () => {
    // Without the dummy verification an unknown address answers in about a millisecond while a
    // wrong password spends tens of milliseconds in argon2id; the medians must stay comparable.
    await attempt(acme.tenant.slug, 'warm@up.example', 'warm-up-password-1') // builds the dummy hash
    const wrong = 'definitely-Wrong-password-9'
    const [wrongPassword, unknownEmail, unknownTenant] = (await interleavedMediansMs([
      () => attempt(acme.tenant.slug, acme.owner.email, wrong),
      () => attempt(acme.tenant.slug, 'nobody@nowhere.example', wrong),
      () => attempt('no-such-org', acme.owner.email, wrong),
    ])) as [number, number, number]
    expect(unknownEmail / wrongPassword).toBeGreaterThan(0.5)
    expect(unknownTenant / wrongPassword).toBeGreaterThan(0.5)
  })
})
