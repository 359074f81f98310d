// IAM-4: a passkey challenge works once, for five minutes, for whom it was issued: a registration
// or authentication challenge used a second time, after it expired, or from another session is
// refused, and the refused use changes nothing.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import { addMember, createMfaTestApp, type MfaTestApp } from './mfa.test-support.ts'
import { CHALLENGE_TTL_MS } from './passkeys.challenges.ts'
import { startPasskeyAuthentication } from './passkeys.service.ts'
import {
  eventsOf,
  listPasskeysOf,
  registerPasskey,
  registrationOptions,
  SoftAuthenticator,
  storedPasskey,
  submitRegistration,
  verifyAssertion,
} from './passkeys.test-support.ts'

let t: MfaTestApp
let acme: SignedUp

beforeAll(async () => {
  t = await createMfaTestApp()
  acme = await signUp(t.app)
})
afterAll(() => t.close())

/** Runs `fn` with the clock moved by `ms`, so a challenge issued inside is born that old. */
async function issuedAgo<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const now = Date.now()
  const spy = vi.spyOn(Date, 'now').mockReturnValue(now - ms)
  try {
    return await fn()
  } finally {
    spy.mockRestore()
  }
}

describe('registration challenges', () => {
  it('IAM-4: a registration challenge used once cannot register a second authenticator', async () => {
    const member = await addMember(t, acme)
    const { challengeId, options } = await registrationOptions(t, member.session)
    const first = await submitRegistration(t, member.session, {
      challengeId,
      name: 'First',
      response: new SoftAuthenticator().attest(options),
    })
    expect(first.statusCode, first.body).toBe(201)
    const second = await submitRegistration(t, member.session, {
      challengeId,
      name: 'Second',
      response: new SoftAuthenticator().attest(options),
    })
    expect(second.statusCode).toBe(422)
    expect(second.json().error.code).toBe('MFA_PASSKEY_CHALLENGE_INVALID')
    expect(await listPasskeysOf(t, member.session)).toHaveLength(1)
  })

  it('IAM-4: a refused registration spends its challenge too', async () => {
    const member = await addMember(t, acme)
    const { challengeId, options } = await registrationOptions(t, member.session)
    const key = new SoftAuthenticator()
    const wrong = await submitRegistration(t, member.session, {
      challengeId,
      name: 'Wrong origin',
      response: key.attest(options, { origin: 'https://evil.example' }),
    })
    expect(wrong.json().error.code).toBe('MFA_PASSKEY_REGISTRATION_INVALID')
    const retry = await submitRegistration(t, member.session, {
      challengeId,
      name: 'Retry',
      response: key.attest(options),
    })
    expect(retry.json().error.code).toBe('MFA_PASSKEY_CHALLENGE_INVALID')
  })

  it("IAM-4: a registration challenge is bound to its session: another of the user's sessions cannot use it", async () => {
    const member = await addMember(t, acme)
    const other = await signInBearer(t.app, {
      ...acme,
      owner: { ...acme.owner, email: member.email },
    })
    const { challengeId, options } = await registrationOptions(t, member.session)
    const res = await submitRegistration(t, other, {
      challengeId,
      name: 'Elsewhere',
      response: new SoftAuthenticator().attest(options),
    })
    expect(res.statusCode).toBe(422)
    expect(res.json().error.code).toBe('MFA_PASSKEY_CHALLENGE_INVALID')
    const events = (await eventsOf(t, acme.tenant.id)).filter((e) => e.actor.id === member.id)
    expect(events.at(-1)).toMatchObject({
      action: 'mfa.passkey.register',
      outcome: 'failure',
      reason: 'challenge_not_yours',
    })
  })

  it('IAM-4: a registration challenge older than five minutes is refused', async () => {
    const member = await addMember(t, acme)
    const { challengeId, options } = await issuedAgo(CHALLENGE_TTL_MS + 1_000, () =>
      registrationOptions(t, member.session),
    )
    const res = await submitRegistration(t, member.session, {
      challengeId,
      name: 'Late',
      response: new SoftAuthenticator().attest(options),
    })
    expect(res.json().error.code).toBe('MFA_PASSKEY_CHALLENGE_INVALID')
    const events = (await eventsOf(t, acme.tenant.id)).filter((e) => e.actor.id === member.id)
    expect(events.at(-1)?.reason).toBe('challenge_expired')
  })
})

describe('authentication challenges', () => {
  it('IAM-4: an authentication challenge verifies once; a second assertion for it is refused', async () => {
    const member = await addMember(t, acme)
    const key = new SoftAuthenticator()
    const passkey = await registerPasskey(t, member.session, key)
    const { challengeId, options } = await startPasskeyAuthentication(
      t.ctx,
      acme.tenant.id,
      member.id,
    )
    expect(options.allowCredentials).toEqual([
      { id: key.id, type: 'public-key', transports: ['internal', 'hybrid'] },
    ])
    expect(options.userVerification).toBe('preferred')
    const assertion = key.assert(options)
    expect(await verifyAssertion(t, acme.tenant.id, challengeId, assertion, member.id)).toBe(
      member.id,
    )
    const row = await storedPasskey(t, passkey.id)
    expect(Number(row?.sign_count)).toBe(1)
    expect(row?.last_used_at).toBeInstanceOf(Date)
    // The same assertion replayed, and a fresh one for the same challenge: both refused.
    expect(await verifyAssertion(t, acme.tenant.id, challengeId, assertion, member.id)).toBeNull()
    expect(
      await verifyAssertion(t, acme.tenant.id, challengeId, key.assert(options), member.id),
    ).toBeNull()
    expect(Number((await storedPasskey(t, passkey.id))?.sign_count)).toBe(1)
    const reasons = (await eventsOf(t, acme.tenant.id))
      .filter((e) => e.action === 'mfa.passkey.use' && e.actor.id === member.id)
      .map((e) => `${e.outcome}:${e.reason ?? ''}`)
    expect(reasons).toEqual([
      'success:',
      'failure:challenge_replayed',
      'failure:challenge_replayed',
    ])
  })

  it('IAM-4: two parallel verifications of one challenge: exactly one succeeds', async () => {
    const member = await addMember(t, acme)
    const key = new SoftAuthenticator()
    await registerPasskey(t, member.session, key)
    for (let round = 0; round < 3; round++) {
      const { challengeId, options } = await startPasskeyAuthentication(
        t.ctx,
        acme.tenant.id,
        member.id,
      )
      const [a, b] = [key.assert(options), key.assert(options)]
      const results = await Promise.all([
        verifyAssertion(t, acme.tenant.id, challengeId, a, member.id),
        verifyAssertion(t, acme.tenant.id, challengeId, b, member.id),
      ])
      expect(results.filter(Boolean), `round ${round}`).toHaveLength(1)
    }
  })

  it('IAM-4: an authentication challenge older than five minutes is refused', async () => {
    const member = await addMember(t, acme)
    const key = new SoftAuthenticator()
    await registerPasskey(t, member.session, key)
    const { challengeId, options } = await issuedAgo(CHALLENGE_TTL_MS + 1_000, () =>
      startPasskeyAuthentication(t.ctx, acme.tenant.id, member.id),
    )
    expect(
      await verifyAssertion(t, acme.tenant.id, challengeId, key.assert(options), member.id),
    ).toBeNull()
    const events = (await eventsOf(t, acme.tenant.id)).filter((e) => e.actor.id === member.id)
    expect(events.at(-1)).toMatchObject({ action: 'mfa.passkey.use', reason: 'challenge_expired' })
  })

  it('IAM-4: an altered challenge id opens nowhere', async () => {
    const member = await addMember(t, acme)
    const key = new SoftAuthenticator()
    await registerPasskey(t, member.session, key)
    const { challengeId, options } = await startPasskeyAuthentication(
      t.ctx,
      acme.tenant.id,
      member.id,
    )
    const [id, seal] = challengeId.split('.') as [string, string]
    const flipped = `${seal.slice(0, 10)}${seal[10] === 'A' ? 'B' : 'A'}${seal.slice(11)}`
    for (const forged of [`${id}.${flipped}`, `${crypto.randomUUID()}.${seal}`]) {
      expect(
        await verifyAssertion(t, acme.tenant.id, forged, key.assert(options), member.id),
      ).toBeNull()
    }
    // The untouched one still works: nothing above spent it.
    expect(
      await verifyAssertion(t, acme.tenant.id, challengeId, key.assert(options), member.id),
    ).toBe(member.id)
  })
})
