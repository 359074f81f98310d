// IAM-4, IAM-6: a passwordless sign-in with a user-verified passkey gives a working session, as a
// cookie or a bearer token, like password sign-in; without user verification, or on any other
// refusal, it gets password sign-in's 401 and is audited as a failed sign-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../../../test/support/app.ts'
import { addMember, createMfaTestApp, type Member, type MfaTestApp } from './mfa.test-support.ts'
import {
  eventsOf,
  passwordlessOptions,
  passwordlessSignIn,
  RP_ID,
  registerPasskey,
  SoftAuthenticator,
} from './passkeys.test-support.ts'

let t: MfaTestApp
let acme: SignedUp
let member: Member
let key: SoftAuthenticator
/** What a wrong password gets. */
let refusalBody: string

beforeAll(async () => {
  t = await createMfaTestApp()
  acme = await signUp(t.app)
  member = await addMember(t, acme)
  key = new SoftAuthenticator()
  await registerPasskey(t, member.session, key)
  const wrong = await t.app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    payload: { tenant: acme.tenant.slug, email: member.email, password: 'Not-the-password-1' },
  })
  expect(wrong.statusCode).toBe(401)
  refusalBody = wrong.body
})
afterAll(() => t.close())

async function attempt(mode?: 'cookie' | 'bearer', uv = true) {
  const { challengeId, options } = await passwordlessOptions(t, acme.tenant.slug)
  return passwordlessSignIn(t, {
    tenant: acme.tenant.slug,
    challengeId,
    response: key.assert(options, { uv }),
    ...(mode ? { mode } : {}),
  })
}

describe('passwordless sign-in with a passkey', () => {
  it('IAM-4: the options list no credentials and require user verification; an unknown organisation gets the same shape', async () => {
    const known = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions/passkey/options',
      payload: { tenant: acme.tenant.slug },
    })
    expect(known.statusCode, known.body).toBe(200)
    expect(known.headers['cache-control']).toBe('no-store')
    const unknown = await passwordlessOptions(t, 'no-such-organisation')
    for (const { challengeId, options } of [known.json(), unknown]) {
      expect(options).toEqual({
        challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        rpId: RP_ID,
        timeout: 300_000,
        userVerification: 'required',
        allowCredentials: [],
      })
      expect(challengeId).toMatch(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]+$/)
    }
    expect(unknown.challengeId.length).toBe(known.json().challengeId.length)
  })

  it('IAM-6: bearer mode gives a token that works, with a device cookie', async () => {
    const res = await attempt('bearer')
    expect(res.statusCode, res.body).toBe(201)
    const body = res.json()
    expect(body.session).toMatchObject({ id: expect.any(String), scope: 'full' })
    expect(body.csrfToken).toBeUndefined()
    expect(res.cookies.find((c) => c.name === '__Host-rampart_device')).toBeDefined()
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${body.token}` },
    })
    expect(me.statusCode, me.body).toBe(200)
    expect(me.json().user.id).toBe(member.id)
    expect(me.json().tenant.id).toBe(acme.tenant.id)
    const row = await t.database.handle.db
      .selectFrom('sessions')
      .select(['user_id', 'amr'])
      .where('id', '=', body.session.id)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ user_id: member.id, amr: ['hwk', 'mfa'] })
  })

  it('IAM-6: cookie mode sets the session cookie and returns a CSRF token that works', async () => {
    const res = await attempt()
    expect(res.statusCode, res.body).toBe(201)
    const cookie = res.cookies.find((c) => c.name === '__Host-rampart_session')
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' })
    const { csrfToken, token } = res.json()
    expect(token).toBeUndefined()
    const out = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/sessions/current',
      cookies: { '__Host-rampart_session': cookie?.value as string },
      headers: { 'x-csrf-token': csrfToken },
    })
    expect(out.statusCode, out.body).toBe(204)
  })

  it('IAM-4: without user verification the passkey is not enough: 401 like a wrong password', async () => {
    const res = await attempt('bearer', false)
    expect(res.statusCode).toBe(401)
    expect(res.body).toBe(refusalBody)
    const events = await eventsOf(t, acme.tenant.id)
    expect(events.slice(-2).map((e) => `${e.action}:${e.outcome}:${e.reason}`)).toEqual([
      'mfa.passkey.use:failure:assertion_invalid',
      'session.create:failure:invalid_passkey',
    ])
  })

  it('IAM-4: a challenge signs in once; the replay gets the same 401', async () => {
    const { challengeId, options } = await passwordlessOptions(t, acme.tenant.slug)
    const body = {
      tenant: acme.tenant.slug,
      challengeId,
      response: key.assert(options),
      mode: 'bearer',
    }
    expect((await passwordlessSignIn(t, body)).statusCode).toBe(201)
    const replay = await passwordlessSignIn(t, body)
    expect(replay.statusCode).toBe(401)
    expect(replay.body).toBe(refusalBody)
  })

  it("IAM-3: another organisation's slug, or one that does not exist, gets the same 401", async () => {
    const other = await signUp(t.app)
    for (const slug of [other.tenant.slug, 'no-such-organisation']) {
      const { challengeId, options } = await passwordlessOptions(t, slug)
      const res = await passwordlessSignIn(t, {
        tenant: slug,
        challengeId,
        response: key.assert(options),
      })
      expect(res.statusCode).toBe(401)
      expect(res.body).toBe(refusalBody)
    }
    // A challenge of this organisation presented under another's slug.
    const { challengeId, options } = await passwordlessOptions(t, acme.tenant.slug)
    const res = await passwordlessSignIn(t, {
      tenant: other.tenant.slug,
      challengeId,
      response: key.assert(options),
    })
    expect(res.body).toBe(refusalBody)
    const events = await eventsOf(t, other.tenant.id)
    expect(events.at(-1)).toMatchObject({ action: 'session.create', reason: 'invalid_passkey' })
  })

  it('IAM-6: a deactivated user cannot sign in with their passkey', async () => {
    const leaver = await addMember(t, acme)
    const theirs = new SoftAuthenticator()
    await registerPasskey(t, leaver.session, theirs)
    await t.database.handle.db
      .updateTable('users')
      .set({ status: 'deactivated' })
      .where('id', '=', leaver.id)
      .execute()
    const { challengeId, options } = await passwordlessOptions(t, acme.tenant.slug)
    const res = await passwordlessSignIn(t, {
      tenant: acme.tenant.slug,
      challengeId,
      response: theirs.assert(options),
    })
    expect(res.statusCode).toBe(401)
    expect(res.body).toBe(refusalBody)
    const events = await eventsOf(t, acme.tenant.id)
    expect(events.at(-1)).toMatchObject({
      action: 'session.create',
      reason: 'user_inactive',
      actor: { id: leaver.id },
    })
  })
})
