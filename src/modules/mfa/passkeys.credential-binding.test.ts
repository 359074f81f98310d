// IAM-4, AUTHZ-5: a passkey signs in only its own user in its own organisation: another user's
// credential, an unknown one, another organisation's, or a challenge issued for another user or
// organisation is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../../../test/support/app.ts'
import { addMember, createMfaTestApp, type Member, type MfaTestApp } from './mfa.test-support.ts'
import { startPasskeyAuthentication } from './passkeys.service.ts'
import {
  eventsOf,
  registerPasskey,
  SoftAuthenticator,
  verifyAssertion,
} from './passkeys.test-support.ts'

let t: MfaTestApp
let acme: SignedUp
let globex: SignedUp
let alice: Member & { key: SoftAuthenticator }
let bob: Member & { key: SoftAuthenticator }

async function withPasskey(org: SignedUp): Promise<Member & { key: SoftAuthenticator }> {
  const member = await addMember(t, org)
  const key = new SoftAuthenticator()
  await registerPasskey(t, member.session, key)
  return { ...member, key }
}

async function lastReason(tenantId: string): Promise<string | undefined> {
  const uses = (await eventsOf(t, tenantId)).filter((e) => e.action.startsWith('mfa.passkey.'))
  return uses.at(-1)?.reason
}

beforeAll(async () => {
  t = await createMfaTestApp()
  acme = await signUp(t.app)
  globex = await signUp(t.app)
  alice = await withPasskey(acme)
  bob = await withPasskey(acme)
})
afterAll(() => t.close())

describe('a passkey is bound to its user and organisation', () => {
  it("IAM-4: a challenge for Alice answered with Bob's passkey is refused", async () => {
    const { challengeId, options } = await startPasskeyAuthentication(
      t.ctx,
      acme.tenant.id,
      alice.id,
    )
    expect(
      await verifyAssertion(t, acme.tenant.id, challengeId, bob.key.assert(options), alice.id),
    ).toBeNull()
    expect(await lastReason(acme.tenant.id)).toBe('credential_of_another_user')
  })

  it('IAM-4: a challenge issued for Alice does not verify for Bob, nor for a passwordless sign-in', async () => {
    const { challengeId, options } = await startPasskeyAuthentication(
      t.ctx,
      acme.tenant.id,
      alice.id,
    )
    expect(
      await verifyAssertion(t, acme.tenant.id, challengeId, bob.key.assert(options), bob.id),
    ).toBeNull()
    expect(await lastReason(acme.tenant.id)).toBe('challenge_not_yours')
    const next = await startPasskeyAuthentication(t.ctx, acme.tenant.id, alice.id)
    expect(
      await verifyAssertion(
        t,
        acme.tenant.id,
        next.challengeId,
        alice.key.assert(next.options),
        null,
      ),
    ).toBeNull()
    expect(await lastReason(acme.tenant.id)).toBe('challenge_not_yours')
  })

  it('IAM-4: a credential that was never registered is refused', async () => {
    const { challengeId, options } = await startPasskeyAuthentication(
      t.ctx,
      acme.tenant.id,
      alice.id,
    )
    const stranger = new SoftAuthenticator()
    expect(
      await verifyAssertion(t, acme.tenant.id, challengeId, stranger.assert(options), alice.id),
    ).toBeNull()
    expect(await lastReason(acme.tenant.id)).toBe('unknown_credential')
  })

  it("IAM-4: passwordless, a credential reporting another user's handle is refused", async () => {
    const { challengeId, options } = await startPasskeyAuthentication(t.ctx, acme.tenant.id, null)
    const assertion = alice.key.assert(options, { userHandle: bob.key.userHandle })
    expect(await verifyAssertion(t, acme.tenant.id, challengeId, assertion, null)).toBeNull()
    expect(await lastReason(acme.tenant.id)).toBe('user_handle_mismatch')
  })

  it("AUTHZ-5: Alice's passkey is unknown in another organisation", async () => {
    const { challengeId, options } = await startPasskeyAuthentication(t.ctx, globex.tenant.id, null)
    expect(
      await verifyAssertion(t, globex.tenant.id, challengeId, alice.key.assert(options), null),
    ).toBeNull()
    expect(await lastReason(globex.tenant.id)).toBe('unknown_credential')
  })

  it('AUTHZ-5: a challenge issued in one organisation opens in no other', async () => {
    const { challengeId, options } = await startPasskeyAuthentication(
      t.ctx,
      acme.tenant.id,
      alice.id,
    )
    const assertion = alice.key.assert(options)
    expect(await verifyAssertion(t, globex.tenant.id, challengeId, assertion, alice.id)).toBeNull()
    expect(await lastReason(globex.tenant.id)).toBe('challenge_invalid')
    // Still unspent in its own organisation.
    expect(await verifyAssertion(t, acme.tenant.id, challengeId, assertion, alice.id)).toBe(
      alice.id,
    )
  })

  it('IAM-4: each passkey still signs in its own user', async () => {
    for (const who of [alice, bob]) {
      const { challengeId, options } = await startPasskeyAuthentication(
        t.ctx,
        acme.tenant.id,
        who.id,
      )
      expect(
        await verifyAssertion(t, acme.tenant.id, challengeId, who.key.assert(options), who.id),
      ).toBe(who.id)
    }
  })
})
