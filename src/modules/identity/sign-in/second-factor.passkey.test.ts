// IAM-4: a passkey is a second factor: after the password, options list only that user's
// passkeys, and an assertion completes the sign-in once; another user's passkey, a replayed
// assertion and options for a spent challenge are refused like a wrong code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../../../../test/support/app.ts'
import {
  addMember,
  createMfaTestApp,
  type Member,
  type MfaTestApp,
} from '../../mfa/mfa.test-support.ts'
import { registerPasskey, SoftAuthenticator } from '../../mfa/passkeys.test-support.ts'
import { challengeFor } from './sign-in.test-support.ts'

let t: MfaTestApp
let acme: SignedUp
let ada: Member
let bob: Member
let adaKey: SoftAuthenticator
let bobKey: SoftAuthenticator

beforeAll(async () => {
  t = await createMfaTestApp()
  acme = await signUp(t.app)
  ada = await addMember(t, acme)
  bob = await addMember(t, acme)
  adaKey = new SoftAuthenticator()
  bobKey = new SoftAuthenticator()
  await registerPasskey(t, ada.session, adaKey)
  await registerPasskey(t, bob.session, bobKey)
})
afterAll(() => t.close())

function challengeOf(member: Member) {
  return challengeFor(t.app, { ...acme, owner: { ...acme.owner, email: member.email } })
}

async function options(challenge: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/sessions/mfa/passkey-options',
    payload: { challenge },
  })
}

function complete(challenge: string, passkey: { challengeId: string; response: unknown }) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/sessions/mfa',
    payload: { challenge, method: 'passkey', passkey, mode: 'bearer' },
  })
}

describe('IAM-4 passkey as the second factor', () => {
  it('IAM-4: the password half offers the passkey; its assertion completes the sign-in with amr pwd+hwk', async () => {
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { tenant: acme.tenant.slug, email: ada.email, password: acme.password },
    })
    expect(first.statusCode).toBe(200)
    expect(first.json().challenge.methods).toEqual(['passkey'])
    const challenge = first.json().challenge.token as string
    const opened = await options(challenge)
    expect(opened.statusCode, opened.body).toBe(200)
    const { challengeId, options: requestOptions } = opened.json()
    expect(requestOptions.allowCredentials).toHaveLength(1)
    const done = await complete(challenge, { challengeId, response: adaKey.assert(requestOptions) })
    expect(done.statusCode, done.body).toBe(201)
    const stored = await t.database.handle.db
      .selectFrom('sessions')
      .select('amr')
      .where('id', '=', done.json().session.id)
      .executeTakeFirstOrThrow()
    expect(stored.amr).toEqual(['pwd', 'hwk'])
  })

  it("IAM-4: another user's passkey does not answer this user's challenge", async () => {
    const challenge = await challengeOf(ada)
    const { challengeId, options: requestOptions } = (await options(challenge)).json()
    const res = await complete(challenge, { challengeId, response: bobKey.assert(requestOptions) })
    expect(res.statusCode).toBe(401)
    expect(res.json().error.code).toBe('IDENTITY_SECOND_FACTOR_INVALID')
  })

  it('IAM-4: an assertion completes one sign-in; replayed with a new challenge it is refused', async () => {
    const challenge = await challengeOf(ada)
    const { challengeId, options: requestOptions } = (await options(challenge)).json()
    const assertion = adaKey.assert(requestOptions)
    expect((await complete(challenge, { challengeId, response: assertion })).statusCode).toBe(201)
    const again = await challengeOf(ada)
    const replay = await complete(again, { challengeId, response: assertion })
    expect(replay.statusCode).toBe(401)
  })

  it('IAM-4: options for an unknown challenge, or for a user without passkeys, are refused alike', async () => {
    const unknown = await options('A'.repeat(43))
    expect(unknown.statusCode).toBe(401)
    expect(unknown.json().error.code).toBe('IDENTITY_SECOND_FACTOR_INVALID')
    const bad = await complete('A'.repeat(43), { challengeId: 'x', response: {} })
    expect(bad.statusCode).toBe(400)
  })
})
