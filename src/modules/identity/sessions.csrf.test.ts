// SEC-2: a cookie-authenticated write needs the session's CSRF token; a cross-site one is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/support/app.ts'

let t: TestApp
let acme: SignedUp
beforeAll(async () => {
  t = await createTestApp()
  acme = await signUp(t.app)
})
afterAll(() => t.close())

async function cookieSession() {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    payload: { tenant: acme.tenant.slug, email: acme.owner.email, password: acme.password },
  })
  const cookie = res.cookies.find((c) => c.name === '__Host-rampart_session')?.value as string
  return { cookies: { '__Host-rampart_session': cookie }, csrf: res.json().csrfToken as string }
}

describe('CSRF protection on cookie sessions', () => {
  it('SEC-2: a cookie write without X-CSRF-Token is refused with 403 and changes nothing', async () => {
    const s = await cookieSession()
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/sessions/current',
      cookies: s.cookies,
    })
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('REQUEST_CSRF_FAILED')
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', cookies: s.cookies })
    expect(me.statusCode).toBe(200)
  })

  it("SEC-2: another session's CSRF token does not work", async () => {
    const mine = await cookieSession()
    const theirs = await cookieSession()
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/sessions/current',
      cookies: mine.cookies,
      headers: { 'x-csrf-token': theirs.csrf },
    })
    expect(res.statusCode).toBe(403)
  })

  it('SEC-2: with its CSRF token the cookie write succeeds and clears the cookie', async () => {
    const s = await cookieSession()
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/sessions/current',
      cookies: s.cookies,
      headers: { 'x-csrf-token': s.csrf },
    })
    expect(res.statusCode).toBe(204)
    const cleared = res.cookies.find((c) => c.name === '__Host-rampart_session')
    expect(cleared?.value).toBe('')
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', cookies: s.cookies })
    expect(me.statusCode).toBe(401)
  })

  it('SEC-2: a cross-site request (Sec-Fetch-Site: cross-site) is refused even with the token', async () => {
    const s = await cookieSession()
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/sessions/current',
      cookies: s.cookies,
      headers: { 'x-csrf-token': s.csrf, 'sec-fetch-site': 'cross-site' },
    })
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('REQUEST_CROSS_SITE')
  })

  it('SEC-2: a foreign Origin on a write is refused', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: { origin: 'https://evil.example' },
      payload: { tenant: acme.tenant.slug, email: acme.owner.email, password: acme.password },
    })
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('REQUEST_CROSS_SITE')
  })

  it('bearer clients need no CSRF token', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: {
        tenant: acme.tenant.slug,
        email: acme.owner.email,
        password: acme.password,
        mode: 'bearer',
      },
    })
    const out = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/sessions/current',
      headers: { authorization: `Bearer ${res.json().token}` },
    })
    expect(out.statusCode).toBe(204)
  })
})
