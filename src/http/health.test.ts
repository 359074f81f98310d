// AV-1: liveness, readiness that follows the database, metrics, and a 503 (not a 500) while the
// database is away.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedIn,
  signInBearer,
  signUp,
  type TestApp,
} from '../../test/support/app.ts'

describe('health endpoints', () => {
  let t: TestApp
  let bearer: SignedIn
  beforeAll(async () => {
    t = await createTestApp({ env: { RAMPART_METRICS_TOKEN: 'metrics-secret-token' } })
    bearer = await signInBearer(t.app, await signUp(t.app))
  })
  afterAll(() => t.close())

  it('AV-1: /healthz and /readyz answer 200 while the database is up', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({
      status: 'ok',
    })
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok' } })
  })

  it('/metrics needs the configured bearer token and then serves Prometheus text for every route', async () => {
    await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer.authorization })
    await t.app.inject({ method: 'GET', url: '/no/such/route/123' })
    const anonymous = await t.app.inject({ method: 'GET', url: '/metrics' })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.json().error.code).toBe('AUTH_REQUIRED')
    const wrong = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer metrics-secret-tokeX' },
    })
    expect(wrong.statusCode).toBe(401)
    const ok = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer metrics-secret-token' },
    })
    expect(ok.statusCode).toBe(200)
    expect(ok.headers['content-type']).toContain('text/plain')
    expect(ok.body).toContain('rampart_http_request_duration_seconds_bucket')
    expect(ok.body).toContain('route="/readyz"')
    expect(ok.body).toMatch(
      /rampart_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/me",status="200"\} 1/,
    )
    // Unmatched URLs share one label, so probing cannot blow up the series count.
    expect(ok.body).toContain('route="unmatched",status="404"')
    expect(ok.body).not.toContain('/no/such/route')
  })

  it('AV-1: with the database gone, /readyz says 503 and API calls get 503, never 500', async () => {
    await t.database.handle.close()
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.statusCode).toBe(503)
    expect(ready.json().checks.database).toBe('down')
    expect(ready.headers['retry-after']).toBe('5')
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: bearer.authorization,
    })
    expect(me.statusCode).toBe(503)
    expect(me.json().error.code).toBe('SERVICE_UNAVAILABLE')
  })
})
