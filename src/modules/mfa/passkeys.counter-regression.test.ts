// IAM-4: a passkey's signature counter must rise: an assertion whose counter is not above the
// stored one is refused and audited as a possible cloned authenticator; authenticators that keep
// no counter (always 0) keep working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../../../test/support/app.ts'
import { addMember, createMfaTestApp, type MfaTestApp } from './mfa.test-support.ts'
import { startPasskeyAuthentication } from './passkeys.service.ts'
import {
  eventsOf,
  registerPasskey,
  SoftAuthenticator,
  storedPasskey,
  verifyAssertion,
} from './passkeys.test-support.ts'

let t: MfaTestApp
let acme: SignedUp

beforeAll(async () => {
  t = await createMfaTestApp()
  acme = await signUp(t.app)
})
afterAll(() => t.close())

async function signWith(key: SoftAuthenticator, userId: string, counter?: number) {
  const { challengeId, options } = await startPasskeyAuthentication(t.ctx, acme.tenant.id, userId)
  const assertion = key.assert(options, counter === undefined ? {} : { counter })
  return verifyAssertion(t, acme.tenant.id, challengeId, assertion, userId)
}

describe('signature counters', () => {
  it('IAM-4: a lower or equal counter is refused and recorded as a suspected clone', async () => {
    const member = await addMember(t, acme)
    const key = new SoftAuthenticator()
    const passkey = await registerPasskey(t, member.session, key)
    expect(await signWith(key, member.id, 5)).toBe(member.id)
    // A copy of the key that has been used less: its counter lags.
    expect(await signWith(key, member.id, 3)).toBeNull()
    expect(await signWith(key, member.id, 5)).toBeNull()
    expect(await signWith(key, member.id, 0)).toBeNull()
    expect(Number((await storedPasskey(t, passkey.id))?.sign_count)).toBe(5)
    expect(await signWith(key, member.id, 6)).toBe(member.id)

    const events = (await eventsOf(t, acme.tenant.id)).filter(
      (e) => e.action.startsWith('mfa.passkey.') && e.actor.id === member.id,
    )
    expect(events.map((e) => `${e.action}:${e.outcome}:${e.reason ?? ''}`)).toEqual([
      'mfa.passkey.register:success:',
      'mfa.passkey.use:success:',
      'mfa.passkey.clone_suspected:failure:counter_regression',
      'mfa.passkey.clone_suspected:failure:counter_regression',
      'mfa.passkey.clone_suspected:failure:counter_regression',
      'mfa.passkey.use:success:',
    ])
    expect(events[2]?.target).toEqual({ type: 'passkey', id: passkey.id })
  })

  it('IAM-4: an authenticator without a counter (always 0) is accepted every time', async () => {
    const member = await addMember(t, acme)
    const key = new SoftAuthenticator(0)
    const passkey = await registerPasskey(t, member.session, key)
    for (let i = 0; i < 3; i++) expect(await signWith(key, member.id)).toBe(member.id)
    expect(Number((await storedPasskey(t, passkey.id))?.sign_count)).toBe(0)
  })

  it('IAM-4: once a counter was seen, a counter of 0 is a regression', async () => {
    const member = await addMember(t, acme)
    const key = new SoftAuthenticator()
    await registerPasskey(t, member.session, key)
    expect(await signWith(key, member.id, 1)).toBe(member.id)
    expect(await signWith(key, member.id, 0)).toBeNull()
  })
})
