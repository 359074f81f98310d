// SEC-3, IAM-4: hostile input to the MFA routes gets a 4xx with a stable code, never a 500 and
// never a change; the sign-in verifiers answer false to any string, and never throw.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import { withTenant } from '../../db/tenant.ts'
import {
  codeFor,
  createMfaTestApp,
  type Enrolment,
  type MfaTestApp,
  mfaStateOf,
  newRecoveryCodes,
  startEnrolment,
} from './mfa.test-support.ts'
import { consumeRecoveryCode } from './recovery-codes.service.ts'
import { verifyTotp } from './totp.service.ts'

let t: MfaTestApp
let acme: SignedUp
let owner: SignedIn
let secret: string

function confirmRaw(payload: unknown, contentType = 'application/json') {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/me/mfa/totp/confirm',
    headers: { ...owner.authorization, 'content-type': contentType },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  })
}

const HOSTILE_STRINGS = [
  '',
  ' ',
  '1234567',
  '12345',
  '12345a',
  'abcdef',
  '-12345',
  '+12345',
  '12 34 56 78',
  '１２３４５６',
  '123456\u0000',
  "' OR '1'='1",
  "0000'; DROP TABLE mfa_totp; --",
  '$where: 1',
  '%{jndi:ldap://x}',
  'x'.repeat(100_000),
  '🔑'.repeat(16),
  'AAAA-AAAA-AAAA-AAA!',
  'UUUU-UUUU-UUUU-UUUU',
]

beforeAll(async () => {
  t = await createMfaTestApp()
  acme = await signUp(t.app)
  owner = await signInBearer(t.app, acme)
  secret = ((await startEnrolment(t, owner)).json() as Enrolment).secret
})
afterAll(() => t.close())

describe('MFA input under attack', () => {
  it.each<[string, unknown, number, string]>([
    ['a number', { code: 123456 }, 400, 'REQUEST_INVALID'],
    ['null', { code: null }, 400, 'REQUEST_INVALID'],
    ['an array', { code: ['123456'] }, 400, 'REQUEST_INVALID'],
    ['an object', { code: { $gt: '' } }, 400, 'REQUEST_INVALID'],
    ['a boolean', { code: true }, 400, 'REQUEST_INVALID'],
    ['seven digits', { code: '1234567' }, 400, 'REQUEST_INVALID'],
    ['five digits', { code: '12345' }, 400, 'REQUEST_INVALID'],
    ['letters', { code: 'abcdef' }, 400, 'REQUEST_INVALID'],
    ['digits and a space', { code: '123 456' }, 400, 'REQUEST_INVALID'],
    ['full-width digits', { code: '１２３４５６' }, 400, 'REQUEST_INVALID'],
    ['a trailing newline', { code: '123456\n' }, 400, 'REQUEST_INVALID'],
    ['an injection', { code: "1' OR '1'='1" }, 400, 'REQUEST_INVALID'],
    ['a 1000-digit code', { code: '1'.repeat(1000) }, 400, 'REQUEST_INVALID'],
    ['no code', {}, 400, 'REQUEST_INVALID'],
    ['an unknown field', { code: '123456', userId: 'x' }, 400, 'REQUEST_INVALID'],
    ['a JSON array body', ['123456'], 400, 'REQUEST_INVALID'],
    ['malformed JSON', '{"code": "123456"', 400, 'REQUEST_MALFORMED_JSON'],
  ])('SEC-3: confirming with %s gets a stable 4xx', async (_what, payload, status, code) => {
    const res = await confirmRaw(payload)
    expect(res.statusCode, res.body).toBe(status)
    expect(res.json().error.code).toBe(code)
  })

  it('SEC-3: a body over the limit is 413, text/plain is 415', async () => {
    const huge = await confirmRaw({ code: 'x'.repeat(t.ctx.config.limits.bodyBytes + 10) })
    expect(huge.statusCode).toBe(413)
    expect(huge.json().error.code).toBe('REQUEST_BODY_TOO_LARGE')
    const text = await confirmRaw('123456', 'text/plain')
    expect(text.statusCode).toBe(415)
  })

  it('SEC-3: none of that enabled anything; a real code still does', async () => {
    expect((await mfaStateOf(t, owner)).totp).toEqual({ enabled: false, confirmedAt: null })
    const res = await confirmRaw({ code: codeFor(secret) })
    expect(res.statusCode, res.body).toBe(200)
  })

  it('SEC-3, IAM-4: verifyTotp and consumeRecoveryCode answer false to hostile strings', async () => {
    const codes = await newRecoveryCodes(t, owner)
    const tenantId = acme.tenant.id
    const userId = acme.owner.id
    for (const input of HOSTILE_STRINGS) {
      const [totp, recovery] = await withTenant(t.database.handle, tenantId, async (trx) => [
        await verifyTotp(t.ctx, trx, tenantId, userId, input),
        await consumeRecoveryCode(t.ctx, trx, tenantId, userId, input),
      ])
      expect(totp, JSON.stringify(input.slice(0, 40))).toBe(false)
      expect(recovery, JSON.stringify(input.slice(0, 40))).toBe(false)
    }
    expect((await mfaStateOf(t, owner)).recoveryCodes.remaining).toBe(codes.length)
  })
})
