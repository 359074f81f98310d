// IAM-4: a passkey response counts only when made for this site: another origin, another relying
// party id, the wrong ceremony type or a signature by another key is refused, at registration and
// at sign-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../../../test/support/app.ts'
import { addMember, createMfaTestApp, type Member, type MfaTestApp } from './mfa.test-support.ts'
import { startPasskeyAuthentication } from './passkeys.service.ts'
import {
  type Ceremony,
  eventsOf,
  listPasskeysOf,
  registerPasskey,
  registrationOptions,
  SoftAuthenticator,
  submitRegistration,
  verifyAssertion,
} from './passkeys.test-support.ts'

let t: MfaTestApp
let acme: SignedUp
let member: Member
let key: SoftAuthenticator

const WRONG: [string, Ceremony][] = [
  ['another origin', { origin: 'https://evil.example' }],
  ['the right host on another port', { origin: 'https://localhost:9443' }],
  ['plain http', { origin: 'http://localhost:8443' }],
  ['another relying party id', { rpId: 'evil.example' }],
  ['a look-alike relying party id', { rpId: 'localhost.evil.example' }],
]

beforeAll(async () => {
  t = await createMfaTestApp()
  acme = await signUp(t.app)
  member = await addMember(t, acme)
  key = new SoftAuthenticator()
  await registerPasskey(t, member.session, key)
})
afterAll(() => t.close())

describe('responses are bound to this origin and relying party', () => {
  it.each(WRONG)('IAM-4: registration from %s is refused', async (_what, ceremony) => {
    const { challengeId, options } = await registrationOptions(t, member.session)
    const res = await submitRegistration(t, member.session, {
      challengeId,
      name: 'Phished',
      response: new SoftAuthenticator().attest(options, ceremony),
    })
    expect(res.statusCode, res.body).toBe(422)
    expect(res.json().error.code).toBe('MFA_PASSKEY_REGISTRATION_INVALID')
  })

  it('IAM-4: a get() response offered as registration is refused', async () => {
    const { challengeId, options } = await registrationOptions(t, member.session)
    const res = await submitRegistration(t, member.session, {
      challengeId,
      name: 'Wrong type',
      response: new SoftAuthenticator().attest(options, { type: 'webauthn.get' }),
    })
    expect(res.json().error.code).toBe('MFA_PASSKEY_REGISTRATION_INVALID')
    expect(await listPasskeysOf(t, member.session)).toHaveLength(1)
  })

  it.each(WRONG)('IAM-4: an assertion from %s is refused', async (_what, ceremony) => {
    const { challengeId, options } = await startPasskeyAuthentication(
      t.ctx,
      acme.tenant.id,
      member.id,
    )
    expect(
      await verifyAssertion(
        t,
        acme.tenant.id,
        challengeId,
        key.assert(options, ceremony),
        member.id,
      ),
    ).toBeNull()
    const events = (await eventsOf(t, acme.tenant.id)).filter((e) => e.action === 'mfa.passkey.use')
    expect(events.at(-1)).toMatchObject({ outcome: 'failure', reason: 'assertion_invalid' })
  })

  it('IAM-4: an assertion echoing another challenge, or of the create() type, is refused', async () => {
    for (const ceremony of [
      { challenge: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      { type: 'webauthn.create' },
    ]) {
      const { challengeId, options } = await startPasskeyAuthentication(
        t.ctx,
        acme.tenant.id,
        member.id,
      )
      expect(
        await verifyAssertion(
          t,
          acme.tenant.id,
          challengeId,
          key.assert(options, ceremony),
          member.id,
        ),
      ).toBeNull()
    }
  })

  it('IAM-4: an assertion signed by another key is refused as a bad signature', async () => {
    const { challengeId, options } = await startPasskeyAuthentication(
      t.ctx,
      acme.tenant.id,
      member.id,
    )
    const forged = key.assert(options, {}, new SoftAuthenticator())
    expect(await verifyAssertion(t, acme.tenant.id, challengeId, forged, member.id)).toBeNull()
    const events = (await eventsOf(t, acme.tenant.id)).filter((e) => e.action === 'mfa.passkey.use')
    expect(events.at(-1)).toMatchObject({ outcome: 'failure', reason: 'bad_signature' })
  })

  it('IAM-4: the right origin and relying party still verify', async () => {
    const { challengeId, options } = await startPasskeyAuthentication(
      t.ctx,
      acme.tenant.id,
      member.id,
    )
    expect(
      await verifyAssertion(t, acme.tenant.id, challengeId, key.assert(options), member.id),
    ).toBe(member.id)
  })
})
