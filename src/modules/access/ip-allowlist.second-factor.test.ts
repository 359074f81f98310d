// IAM-8: a sign-in whose second factor arrives from outside the allowlist is refused like a wrong code, even when its password half came from inside.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { challengeFor } from '../identity/sign-in/sign-in.test-support.ts'
import { codeFor, createMfaTestApp, enableTotp, type MfaTestApp } from '../mfa/mfa.test-support.ts'
import { allowOnly, newOrg } from './ip-allowlist.test-support.ts'

let t: MfaTestApp

beforeAll(async () => {
  t = await createMfaTestApp()
})
afterAll(() => t.close())

describe('IAM-8 allowlist at the second factor', () => {
  it('refuses the second half from outside with 401 IDENTITY_SECOND_FACTOR_INVALID', async () => {
    const { org, owner } = await newOrg(t)
    const secret = await enableTotp(t, owner)
    await allowOnly(t, owner, ['127.0.0.1'])
    const second = (challenge: string, remoteAddress: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/sessions/mfa',
        remoteAddress,
        payload: { challenge, method: 'totp', code: codeFor(secret, 1), mode: 'bearer' },
      })
    const outside = await second(await challengeFor(t.app, org), '203.0.113.9')
    expect(outside.statusCode, outside.body).toBe(401)
    expect(outside.json().error.code).toBe('IDENTITY_SECOND_FACTOR_INVALID')
    const inside = await second(await challengeFor(t.app, org), '127.0.0.1')
    expect(inside.statusCode, inside.body).toBe(201)
  })
})
