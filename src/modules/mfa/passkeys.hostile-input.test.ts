// SEC-3, IAM-4: hostile input to the passkey routes gets a 4xx with a stable code, never a 500
// and never a stored credential; verifyPasskeyAssertion answers null to anything, never throws.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../../../test/support/app.ts'
import { addMember, createMfaTestApp, type Member, type MfaTestApp } from './mfa.test-support.ts'
import { startPasskeyAuthentication } from './passkeys.service.ts'
import {
  cbor,
  listPasskeysOf,
  passwordlessOptions,
  passwordlessSignIn,
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

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url')

beforeAll(async () => {
  t = await createMfaTestApp()
  acme = await signUp(t.app)
  member = await addMember(t, acme)
  key = new SoftAuthenticator()
  await registerPasskey(t, member.session, key)
})
afterAll(() => t.close())

/** A well-formed registration body for fresh options, as `change` turns it. */
async function registration(change: (body: Record<string, unknown>) => unknown) {
  const { challengeId, options } = await registrationOptions(t, member.session)
  const body: Record<string, unknown> = {
    challengeId,
    name: 'Hostile',
    response: new SoftAuthenticator().attest(options),
  }
  return submitRegistration(t, member.session, change(body))
}

function withResponse(patch: Record<string, unknown>) {
  return (body: Record<string, unknown>) => {
    const response = body.response as { response: Record<string, unknown> }
    return { ...body, response: { ...response, response: { ...response.response, ...patch } } }
  }
}

describe('passkey registration under attack', () => {
  it.each<[string, (body: Record<string, unknown>) => unknown, number, string]>([
    ['an empty name', (b) => ({ ...b, name: '' }), 400, 'REQUEST_INVALID'],
    ['a 65-character name', (b) => ({ ...b, name: 'x'.repeat(65) }), 400, 'REQUEST_INVALID'],
    ['a name of spaces', (b) => ({ ...b, name: '   ' }), 422, 'MFA_PASSKEY_NAME_INVALID'],
    ['a NUL in the name', (b) => ({ ...b, name: 'key\u0000' }), 422, 'MFA_PASSKEY_NAME_INVALID'],
    ['a newline in the name', (b) => ({ ...b, name: 'a\nb' }), 422, 'MFA_PASSKEY_NAME_INVALID'],
    [
      'a bidi override in the name',
      (b) => ({ ...b, name: 'abc\u202Etxt.exe' }),
      422,
      'MFA_PASSKEY_NAME_INVALID',
    ],
    [
      'a lone surrogate in the name',
      (b) => ({ ...b, name: 'x\ud800' }),
      422,
      'MFA_PASSKEY_NAME_INVALID',
    ],
    ['a number as name', (b) => ({ ...b, name: 42 }), 400, 'REQUEST_INVALID'],
    ['a string as response', (b) => ({ ...b, response: 'x' }), 400, 'REQUEST_INVALID'],
    ['null as response', (b) => ({ ...b, response: null }), 400, 'REQUEST_INVALID'],
    ['an array as response', (b) => ({ ...b, response: [1] }), 400, 'REQUEST_INVALID'],
    [
      'a numeric credential id',
      (b) => ({ ...b, response: { ...(b.response as object), id: 7 } }),
      400,
      'REQUEST_INVALID',
    ],
    [
      'another credential type',
      (b) => ({ ...b, response: { ...(b.response as object), type: 'password' } }),
      400,
      'REQUEST_INVALID',
    ],
    ['garbage base64', withResponse({ attestationObject: 'not base64!' }), 400, 'REQUEST_INVALID'],
    [
      'an injection as clientDataJSON',
      withResponse({ clientDataJSON: "'; DROP TABLE mfa_passkeys; --" }),
      400,
      'REQUEST_INVALID',
    ],
    [
      'base64 of garbage CBOR',
      withResponse({ attestationObject: b64('\xff\xfe\xfd garbage') }),
      422,
      'MFA_PASSKEY_REGISTRATION_INVALID',
    ],
    [
      'CBOR of the wrong shape',
      withResponse({ attestationObject: b64(cbor(new Map([['fmt', 7]]))) }),
      422,
      'MFA_PASSKEY_REGISTRATION_INVALID',
    ],
    [
      'clientDataJSON that is not JSON',
      withResponse({ clientDataJSON: b64('{"type": ') }),
      422,
      'MFA_PASSKEY_REGISTRATION_INVALID',
    ],
    [
      'clientDataJSON of the wrong types',
      withResponse({ clientDataJSON: b64('{"type":1,"challenge":[],"origin":null}') }),
      422,
      'MFA_PASSKEY_REGISTRATION_INVALID',
    ],
    [
      'too many transports',
      withResponse({ transports: Array(9).fill('usb') }),
      400,
      'REQUEST_INVALID',
    ],
    ['an unknown field', (b) => ({ ...b, userId: acme.owner.id }), 400, 'REQUEST_INVALID'],
    [
      'an unknown field in the response',
      (b) => ({ ...b, response: { ...(b.response as object), extra: 1 } }),
      400,
      'REQUEST_INVALID',
    ],
    [
      'a challenge id of the wrong shape',
      (b) => ({ ...b, challengeId: "1' OR '1'='1" }),
      400,
      'REQUEST_INVALID',
    ],
    [
      'a forged challenge id',
      (b) => ({ ...b, challengeId: `${crypto.randomUUID()}.${'A'.repeat(200)}` }),
      422,
      'MFA_PASSKEY_CHALLENGE_INVALID',
    ],
    ['a JSON array body', () => [1, 2], 400, 'REQUEST_INVALID'],
  ])('SEC-3: registering with %s gets a stable 4xx', async (_what, change, status, code) => {
    const res = await registration(change)
    expect(res.statusCode, res.body).toBe(status)
    expect(res.json().error.code).toBe(code)
  })

  it('SEC-3: malformed JSON is 400, an oversize body 413, text/plain 415', async () => {
    const malformed = await submitRegistration(t, member.session, '{"name": ')
    expect(malformed.json().error.code).toBe('REQUEST_MALFORMED_JSON')
    const huge = await registration(
      withResponse({ attestationObject: 'A'.repeat(t.ctx.config.limits.bodyBytes) }),
    )
    expect(huge.statusCode).toBe(413)
    const text = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/mfa/passkeys',
      headers: { ...member.session.authorization, 'content-type': 'text/plain' },
      payload: 'hello',
    })
    expect(text.statusCode).toBe(415)
  })

  it('SEC-3: none of that stored a passkey; unicode and injection-looking names are stored verbatim', async () => {
    expect(await listPasskeysOf(t, member.session)).toHaveLength(1)
    for (const name of [
      '鍵',
      '👩‍💻 laptop',
      "Robert'); DROP TABLE mfa_passkeys;--",
      '<script>x</script>',
    ]) {
      const passkey = await registerPasskey(t, member.session, new SoftAuthenticator(), name)
      expect(passkey.name).toBe(name)
    }
    expect(await listPasskeysOf(t, member.session)).toHaveLength(5)
  })

  it('SEC-3: a passkey id that is not a uuid is 400; an unknown one 404', async () => {
    for (const [id, status] of [
      ['not-a-uuid', 400],
      ["1'--", 400],
      [crypto.randomUUID(), 404],
    ] as const) {
      const res = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/me/mfa/passkeys/${encodeURIComponent(id)}`,
        headers: member.session.authorization,
      })
      expect(res.statusCode, id).toBe(status)
    }
  })
})

describe('passkey sign-in under attack', () => {
  it.each<[string, unknown, number]>([
    ['no body', undefined, 400],
    ['a number as tenant', { tenant: 1 }, 400],
    ['an oversize slug', { tenant: 'x'.repeat(64) }, 400],
    ['an unknown field', { tenant: 'acme', userId: 'x' }, 400],
  ])('SEC-3: options with %s get 400', async (_what, payload, status) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions/passkey/options',
      ...(payload === undefined ? {} : { payload: payload as object }),
    })
    expect(res.statusCode, res.body).toBe(status)
    expect(res.json().error.code).toBe('REQUEST_INVALID')
  })

  it('SEC-3: sign-in with malformed responses is 400 or the one 401, never 500', async () => {
    const { challengeId, options } = await passwordlessOptions(t, acme.tenant.slug)
    const good = key.assert(options)
    const cases: [unknown, number][] = [
      [{ tenant: acme.tenant.slug, challengeId, response: 'x' }, 400],
      [{ tenant: acme.tenant.slug, challengeId, response: { ...good, rawId: 5 } }, 400],
      [
        {
          tenant: acme.tenant.slug,
          challengeId,
          response: { ...good, response: { ...good.response, signature: '!!' } },
        },
        400,
      ],
      [{ tenant: acme.tenant.slug, challengeId: 'nope', response: good }, 400],
      [{ tenant: acme.tenant.slug, challengeId, response: good, mode: 'token' }, 400],
      [
        { tenant: acme.tenant.slug, challengeId, response: { ...good, id: 'AAAA', rawId: 'AAAA' } },
        401,
      ],
      [
        {
          tenant: acme.tenant.slug,
          challengeId,
          response: { ...good, response: { ...good.response, authenticatorData: b64('short') } },
        },
        401,
      ],
      [
        {
          tenant: acme.tenant.slug,
          challengeId,
          response: { ...good, response: { ...good.response, clientDataJSON: b64('[]') } },
        },
        401,
      ],
    ]
    for (const [payload, status] of cases) {
      const res = await passwordlessSignIn(t, payload)
      expect(res.statusCode, JSON.stringify(payload).slice(0, 200)).toBe(status)
      expect(res.json().error.code).toBe(
        status === 400 ? 'REQUEST_INVALID' : 'IDENTITY_INVALID_CREDENTIALS',
      )
    }
  })

  it('SEC-3, IAM-4: verifyPasskeyAssertion answers null to hostile values and never throws', async () => {
    const { challengeId, options } = await startPasskeyAuthentication(
      t.ctx,
      acme.tenant.id,
      member.id,
    )
    const good = key.assert(options)
    const hostile: unknown[] = [
      null,
      undefined,
      42,
      'string',
      [],
      {},
      { ...good, id: { $gt: '' } },
      { ...good, id: 'A'.repeat(5000), rawId: 'A'.repeat(5000) },
      { ...good, type: 'password' },
      { ...good, response: null },
      { ...good, response: { ...good.response, signature: 7 } },
      { ...good, response: { ...good.response, clientDataJSON: 'x'.repeat(100_000) } },
      { ...good, response: { ...good.response, userHandle: ['x'] } },
      { ...good, response: { ...good.response, authenticatorData: b64('\u0000'.repeat(37)) } },
    ]
    for (const response of hostile) {
      const fresh = await startPasskeyAuthentication(t.ctx, acme.tenant.id, member.id)
      expect(
        await verifyAssertion(t, acme.tenant.id, fresh.challengeId, response, member.id),
      ).toBeNull()
    }
    for (const id of [
      '',
      'x',
      "' OR 1=1 --",
      `${crypto.randomUUID()}.${'A'.repeat(100)}`,
      'x'.repeat(100_000),
    ]) {
      expect(await verifyAssertion(t, acme.tenant.id, id, good, member.id)).toBeNull()
    }
    expect(await verifyAssertion(t, acme.tenant.id, challengeId, good, member.id)).toBe(member.id)
  })
})
