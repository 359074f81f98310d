// SEC-2, SEC-3, SEC-4: security headers, closed CORS, size limits and rate limits on every route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, STRONG_PASSWORD, type TestApp } from '../../test/support/app.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ env: { RAMPART_CORS_ORIGINS: 'https://app.customer.example' } })
})
afterAll(() => t.close())

describe('security headers', () => {
  it.each(['/', '/healthz', '/api/v1/me', '/no-such-route', '/docs/json'])(
    'SEC-2: %s carries HSTS, a CSP without unsafe-inline, nosniff and no-referrer',
    async (url) => {
      const res = await t.app.inject({ method: 'GET', url })
      expect(res.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains')
      const csp = String(res.headers['content-security-policy'])
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).toContain("default-src 'self'")
      expect(csp).not.toContain('unsafe-inline')
      expect(csp).not.toContain('unsafe-eval')
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['referrer-policy']).toBe('no-referrer')
      expect(res.headers['x-frame-options']).toBe('DENY')
      expect(res.headers['x-powered-by']).toBeUndefined()
    },
  )

  it('serves the API reference at /docs and the OpenAPI 3.1 document at /docs/json', async () => {
    const ui = await t.app.inject({ method: 'GET', url: '/docs/' })
    expect(ui.statusCode).toBe(200)
    expect(ui.headers['content-type']).toContain('text/html')
    const doc = await t.app.inject({ method: 'GET', url: '/docs/json' })
    expect(doc.statusCode).toBe(200)
    const spec = doc.json()
    expect(spec.openapi).toMatch(/^3\./)
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/v1/signup', '/api/v1/sessions', '/api/v1/me']),
    )
  })
})

describe('CORS', () => {
  it('SEC-2: gives no CORS grant to an origin that is not configured', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/me',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    })
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('grants a configured origin, with credentials', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/me',
      headers: {
        origin: 'https://app.customer.example',
        'access-control-request-method': 'GET',
      },
    })
    expect(res.headers['access-control-allow-origin']).toBe('https://app.customer.example')
    expect(res.headers['access-control-allow-credentials']).toBe('true')
  })

  it('accepts a write from a configured origin even when the browser labels it cross-site', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: { origin: 'https://app.customer.example', 'sec-fetch-site': 'cross-site' },
      payload: { tenant: 'nobody', email: 'a@b.example', password: 'x' },
    })
    expect(res.statusCode).toBe(401)
  })

  it('SEC-2: refuses a write with Origin: null (sandboxed frames, file: pages)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: { origin: 'null' },
      payload: { tenant: 'nobody', email: 'a@b.example', password: 'x' },
    })
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('REQUEST_CROSS_SITE')
  })
})

describe('errors', () => {
  it('SEC-3: an unknown route gets 404 ROUTE_NOT_FOUND in the standard shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nothing?token=secret' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({
      error: { code: 'ROUTE_NOT_FOUND', message: 'No route GET /api/v1/nothing' },
    })
  })
})

describe('framework-level failures keep the standard error shape', () => {
  it('SEC-3: a malformed URL gets 400 REQUEST_INVALID', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/%zz' })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('REQUEST_INVALID')
  })

  it('SEC-3: a text/plain body gets 415, not a schema error', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: { 'content-type': 'text/plain' },
      payload: 'tenant=acme',
    })
    expect(res.statusCode).toBe(415)
    expect(res.json().error.code).toBe('REQUEST_UNSUPPORTED_MEDIA_TYPE')
  })
})

describe('rate limits', () => {
  let limited: TestApp
  beforeAll(async () => {
    limited = await createTestApp({
      env: {
        RAMPART_RATE_LIMIT_GLOBAL: '30',
        RAMPART_RATE_LIMIT_SIGN_IN: '3',
        RAMPART_RATE_LIMIT_SIGN_UP: '2',
      },
    })
  })
  afterAll(() => limited.close())

  it('SEC-4: sign-in is limited per client address, with 429 RATE_LIMITED and Retry-After', async () => {
    const attempt = (ip: string) =>
      limited.app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        remoteAddress: ip,
        payload: { tenant: 'nobody', email: 'a@b.example', password: 'wrong' },
      })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await attempt('198.51.100.7')).statusCode)
    expect(statuses).toEqual([401, 401, 401, 429])
    const refused = await attempt('198.51.100.7')
    expect(refused.json().error.code).toBe('RATE_LIMITED')
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    // Another address is unaffected.
    expect((await attempt('198.51.100.8')).statusCode).toBe(401)
  })

  it('SEC-4: parallel sign-ups racing the limit: no more than the limit get through', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        limited.app.inject({
          method: 'POST',
          url: '/api/v1/signup',
          remoteAddress: '203.0.113.9',
          payload: {
            organisationName: 'Rate',
            slug: `rate-${process.pid}-${i}`,
            ownerEmail: `o${i}@rate.example`,
            ownerPassword: STRONG_PASSWORD,
          },
        }),
      ),
    )
    const statuses = results.map((r) => r.statusCode).sort()
    expect(statuses).toEqual([201, 201, 429, 429, 429, 429])
  })

  it('SEC-4: the global limit covers every route', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 32; i++) {
      statuses.push(
        (await limited.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '192.0.2.44' }))
          .statusCode,
      )
    }
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true)
    expect(statuses.slice(30)).toEqual([429, 429])
  })
})
