// LOG-6: log lines never carry passwords, tokens, cookies or e-mail addresses, whatever is logged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedUp,
  signInBearer,
  signUp,
  type TestApp,
} from '../../test/support/app.ts'

let t: TestApp
let acme: SignedUp
beforeAll(async () => {
  t = await createTestApp({ captureLogs: true })
  acme = await signUp(t.app)
})
afterAll(() => t.close())

describe('log redaction', () => {
  it('LOG-6: a sign-up, sign-in, authenticated call and failed call leave no secret in the logs', async () => {
    const bearer = await signInBearer(t.app, acme)
    const cookie = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { tenant: acme.tenant.slug, email: acme.owner.email, password: acme.password },
    })
    const cookieToken = cookie.cookies[0]?.value as string
    await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer.authorization })
    await t.app.inject({
      method: 'GET',
      url: `/api/v1/me?token=${bearer.token}&email=${encodeURIComponent(acme.owner.email)}`,
      cookies: { '__Host-rampart_session': cookieToken },
      headers: { 'x-csrf-token': cookie.json().csrfToken },
    })
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: {
        tenant: acme.tenant.slug,
        email: acme.owner.email,
        password: 'wrong-Password-123',
      },
    })
    // Application code logging an object with secrets, as a careless module might.
    t.app.log.info(
      { user: { email: acme.owner.email, password: acme.password }, sessionToken: bearer.token },
      `signed in ${acme.owner.email}`,
    )
    const text = JSON.stringify(t.logs)
    expect(t.logs.length).toBeGreaterThan(8)
    for (const secret of [
      acme.password,
      'wrong-Password-123',
      bearer.token,
      cookieToken,
      cookie.json().csrfToken,
      acme.owner.email,
      encodeURIComponent(acme.owner.email),
    ]) {
      expect(text).not.toContain(secret)
    }
    // What was logged is still useful: routes, statuses and the redaction markers.
    expect(text).toContain('/api/v1/me?token=[redacted]&email=[redacted]')
    expect(text).toContain('"statusCode":401')
    expect(text).toContain('[email]')
  })

  it('LOG-6: authorization and cookie headers are redacted when request headers are logged', async () => {
    t.app.log.info(
      {
        req: { headers: { authorization: 'Bearer abc', cookie: 'a=b' } },
        authorization: 'Bearer abc',
      },
      'headers',
    )
    const line = t.logs.at(-1) as Record<string, unknown>
    expect(JSON.stringify(line)).not.toContain('Bearer abc')
    expect(JSON.stringify(line)).not.toContain('a=b')
  })
})
