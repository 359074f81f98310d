// IAM-4: a signed-in user registers a passkey from options bound to their session, sees it listed,
// and removes it; each change is audited with ids only, and a passkey counts as a second factor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../../../test/support/app.ts'
import { withTenant } from '../../db/tenant.ts'
import { hasMfa } from './mfa.service.ts'
import { addMember, createMfaTestApp, type MfaTestApp, mfaStateOf } from './mfa.test-support.ts'
import { userHandleOf } from './passkeys.relying-party.ts'
import {
  eventsOf,
  listPasskeysOf,
  RP_ID,
  registerPasskey,
  registrationOptions,
  SoftAuthenticator,
  storedPasskey,
  submitRegistration,
} from './passkeys.test-support.ts'

let t: MfaTestApp
let acme: SignedUp

beforeAll(async () => {
  t = await createMfaTestApp()
  acme = await signUp(t.app)
})
afterAll(() => t.close())

describe('registering, listing and removing passkeys', () => {
  it('IAM-4: options name this site, exclude existing passkeys and prefer a verified discoverable credential', async () => {
    const member = await addMember(t, acme)
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/mfa/passkeys/options',
      headers: member.session.authorization,
    })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.headers['cache-control']).toBe('no-store')
    const { challengeId, options } = res.json()
    expect(challengeId).toMatch(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]+$/)
    expect(options).toMatchObject({
      rp: { id: RP_ID, name: 'Rampart' },
      user: {
        id: Buffer.from(userHandleOf(member.id)).toString('base64url'),
        name: `${member.email} (${acme.tenant.slug})`,
      },
      timeout: 300_000,
      attestation: 'none',
      excludeCredentials: [],
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    })
    expect(Buffer.from(options.challenge, 'base64url')).toHaveLength(32)

    const key = new SoftAuthenticator()
    await registerPasskey(t, member.session, key)
    const next = await registrationOptions(t, member.session)
    expect(next.options.excludeCredentials).toEqual([
      { id: key.id, type: 'public-key', transports: ['internal', 'hybrid'] },
    ])
    expect(next.options.challenge).not.toBe(options.challenge)
  })

  it('IAM-4: register, list and remove; the state and hasMfa count the passkey', async () => {
    const member = await addMember(t, acme)
    expect(await listPasskeysOf(t, member.session)).toEqual([])
    const key = new SoftAuthenticator()
    const passkey = await registerPasskey(t, member.session, key, '  Ключ 🔑  ')
    expect(passkey).toEqual({
      id: expect.any(String),
      name: 'Ключ 🔑',
      transports: ['internal', 'hybrid'],
      createdAt: expect.any(String),
      lastUsedAt: null,
    })
    expect(await listPasskeysOf(t, member.session)).toEqual([passkey])
    expect((await mfaStateOf(t, member.session)).passkeys).toEqual({ count: 1 })
    const factors = await withTenant(t.database.handle, acme.tenant.id, (trx) =>
      hasMfa(trx, acme.tenant.id, member.id),
    )
    expect(factors).toEqual({ totp: false, recoveryCodes: 0, passkeys: 1 })

    const row = await storedPasskey(t, passkey.id)
    expect(row).toMatchObject({ user_id: member.id, credential_id: key.id })
    expect(Number(row?.sign_count)).toBe(0)
    expect(Buffer.from(row?.public_key ?? []).equals(key.coseKey())).toBe(true)

    const second = await registerPasskey(t, member.session, new SoftAuthenticator(), 'Phone')
    expect((await listPasskeysOf(t, member.session)).map((p) => p.name)).toEqual([
      'Ключ 🔑',
      'Phone',
    ])

    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/mfa/passkeys/${passkey.id}`,
      headers: member.session.authorization,
    })
    expect(removed.statusCode, removed.body).toBe(204)
    expect(await listPasskeysOf(t, member.session)).toEqual([second])
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/mfa/passkeys/${passkey.id}`,
      headers: member.session.authorization,
    })
    expect(again.statusCode).toBe(404)
    expect(again.json().error.code).toBe('MFA_PASSKEY_NOT_FOUND')
    expect(await storedPasskey(t, passkey.id)).toBeUndefined()
  })

  it('IAM-4: the same credential cannot be registered twice', async () => {
    const member = await addMember(t, acme)
    const key = new SoftAuthenticator()
    await registerPasskey(t, member.session, key)
    const { challengeId, options } = await registrationOptions(t, member.session)
    const res = await submitRegistration(t, member.session, {
      challengeId,
      name: 'Again',
      response: key.attest(options),
    })
    expect(res.statusCode, res.body).toBe(409)
    expect(res.json().error.code).toBe('MFA_PASSKEY_ALREADY_REGISTERED')
    expect(await listPasskeysOf(t, member.session)).toHaveLength(1)
  })

  it('LOG-1: registration, refusal and removal are audited with ids, never the name or address', async () => {
    const member = await addMember(t, acme)
    const passkey = await registerPasskey(t, member.session, new SoftAuthenticator(), 'Secret name')
    const { challengeId, options } = await registrationOptions(t, member.session)
    const wrong = await submitRegistration(t, member.session, {
      challengeId,
      name: 'Secret name',
      response: new SoftAuthenticator().attest(options, { origin: 'https://evil.example' }),
    })
    expect(wrong.statusCode).toBe(422)
    await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/mfa/passkeys/${passkey.id}`,
      headers: member.session.authorization,
    })
    const mine = (await eventsOf(t, acme.tenant.id)).filter(
      (e) => e.action.startsWith('mfa.passkey') && e.actor.id === member.id,
    )
    expect(mine.map((e) => [e.action, e.outcome, e.reason])).toEqual([
      ['mfa.passkey.register', 'success', undefined],
      ['mfa.passkey.register', 'failure', 'attestation_invalid'],
      ['mfa.passkey.remove', 'success', undefined],
    ])
    expect(mine[0]?.target).toEqual({ type: 'passkey', id: passkey.id })
    for (const e of mine) {
      expect(e.text).not.toContain('Secret name')
      expect(e.text).not.toContain(member.email)
    }
  })
})
