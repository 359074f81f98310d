// SEC-3: hostile kiosk-link input (bad names, ranges and dates, repeated or foreign dashboards,
// oversize bodies, injection strings and odd bytes as tokens, parallel revokes) gets a clear 4xx
// with a stable code, never a 500, and leaves nothing half made.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedIn,
  type SignedUp,
  signInBearer,
  signUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { newDashboard } from '../data/dashboards.test-support.ts'
import { call, expectStatus, loggedEvents } from '../data/data.test-support.ts'
import { newOrg } from './groups.test-support.ts'

let t: TestApp
let org: SignedUp
let owner: SignedIn
let tenantId: string
let dashboardId: string
let foreignDashboardId: string

beforeAll(async () => {
  t = await createTestApp({
    env: { RAMPART_KIOSK_THROTTLE_AFTER: '1000', RAMPART_KIOSK_BLOCK_AFTER: '1000' },
  })
  ;({ org, owner } = await newOrg(t))
  tenantId = org.tenant.id
  dashboardId = (await newDashboard(t, owner, [], 'Mine')).id
  const stranger = await signInBearer(t.app, await signUp(t.app))
  foreignDashboardId = (await newDashboard(t, stranger, [], 'Theirs')).id
})
afterAll(() => t.close())

const create = (body: Record<string, unknown>) =>
  call(t, owner, 'POST', '/api/v1/kiosk-links', {
    name: 'Screen',
    dashboardIds: [dashboardId],
    ...body,
  })

async function linkCount(): Promise<number> {
  return (await call(t, owner, 'GET', '/api/v1/kiosk-links')).json().kioskLinks.length
}

describe('hostile kiosk-link input', () => {
  it('SEC-3: bad shapes get 400, bad values 422 naming what is wrong; nothing is created', async () => {
    const before = await linkCount()
    for (const body of [
      { name: 'x\u0000' },
      { name: 'x\u202e' },
      { name: 42 },
      { dashboardIds: [] },
      { dashboardIds: ['nope'] },
      { dashboardIds: Array.from({ length: 21 }, () => dashboardId) },
      { expiresAt: 'tomorrow' },
      { ipAllowlist: '10.0.0.0/8' },
      { ipAllowlist: ['x'.repeat(65)] },
      { token: 'kl_mine' },
    ]) {
      const res = await create(body)
      expect(res.statusCode, JSON.stringify(body).slice(0, 60)).toBe(400)
    }
    const checks: [Record<string, unknown>, string, unknown][] = [
      [{ name: '   ' }, 'ACCESS_KIOSK_NAME_INVALID', undefined],
      [{ dashboardIds: [dashboardId, dashboardId] }, 'ACCESS_KIOSK_DASHBOARDS_INVALID', undefined],
      [
        { dashboardIds: [dashboardId, foreignDashboardId] },
        'ACCESS_KIOSK_DASHBOARD_NOT_FOUND',
        { index: 1 },
      ],
      [
        { expiresAt: new Date(Date.now() - 1).toISOString() },
        'ACCESS_KIOSK_EXPIRY_INVALID',
        undefined,
      ],
      [{ expiresAt: '2999-01-01T00:00:00Z' }, 'ACCESS_KIOSK_EXPIRY_INVALID', undefined],
    ]
    for (const [body, code, details] of checks) {
      const res = await create(body)
      expect(res.statusCode, code).toBe(422)
      expect(res.json().error.code).toBe(code)
      if (details) expect(res.json().error.details).toEqual(details)
    }
    for (const entry of [
      '10.0.0.1/33',
      '127.1',
      'fe80::1%eth0',
      '<script>',
      "' OR 1=1 --",
      '::/129',
    ]) {
      const res = await create({ ipAllowlist: ['192.0.2.0/24', entry] })
      expectStatus(res, 422)
      expect(res.json().error).toMatchObject({
        code: 'ACCESS_KIOSK_CIDR_INVALID',
        details: { index: 1 },
      })
    }
    const repeated = await create({ ipAllowlist: ['192.0.2.0/24', '192.0.2.7/24'] })
    expect(repeated.json().error).toMatchObject({
      code: 'ACCESS_KIOSK_CIDR_INVALID',
      details: { index: 1 },
    })
    expect(await linkCount()).toBe(before)
    // The foreign dashboard's name is nowhere in the answers.
    expect((await create({ dashboardIds: [foreignDashboardId] })).body).not.toContain('Theirs')
  })

  it('SEC-4: an oversize body gets 413', async () => {
    const res = await create({
      name: 'x',
      ipAllowlist: Array.from({ length: 100 }, () => 'y'.repeat(700)),
    })
    expectStatus(res, 413)
  })

  it('SEC-3: injection strings, unicode and odd bytes as tokens are failed guesses, never a 500', async () => {
    for (const token of [
      "kl_' OR '1'='1",
      `kl_${'A'.repeat(42)}'`,
      'kl_%00',
      '%2e%2e%2fadmin',
      'ＫＬ_日本語',
      `kl_${'A'.repeat(43)}`,
      '<script>alert(1)</script>',
    ]) {
      for (const prefix of ['/kiosk/', '/api/v1/kiosk/']) {
        const res = await t.app.inject({
          method: 'GET',
          url: `${prefix}${encodeURIComponent(token)}`,
        })
        expect(res.statusCode, `${prefix}${token}`).toBe(404)
        expect(res.body).not.toContain('<script>')
      }
    }
    const long = await t.app.inject({ method: 'GET', url: `/api/v1/kiosk/kl_${'A'.repeat(200)}` })
    expectStatus(long, 400)
  })

  it('SEC-3: parallel revokes of one link revoke it once and record it once', async () => {
    const made = await create({})
    expectStatus(made, 201)
    const id = made.json().kioskLink.id
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => call(t, owner, 'DELETE', `/api/v1/kiosk-links/${id}`)),
    )
    expect(answers.map((r) => r.statusCode)).toEqual(Array(6).fill(200))
    const revokes = (await loggedEvents(t, tenantId)).filter(
      (e) => e.action === 'kiosk_link.revoke' && e.target?.id === id,
    )
    expect(revokes).toHaveLength(1)
    for (const bad of ['1', 'NOT-A-UUID', "' OR 1=1 --"]) {
      expectStatus(
        await call(t, owner, 'DELETE', `/api/v1/kiosk-links/${encodeURIComponent(bad)}`),
        400,
      )
    }
  })

  it('AUTHZ-5: another organisation’s owner gets 404 for a real link, and cannot revoke it', async () => {
    const made = await create({})
    const { id } = made.json().kioskLink
    const stranger = await signInBearer(t.app, await signUp(t.app))
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await call(t, stranger, method, `/api/v1/kiosk-links/${id}`)
      expectStatus(res, 404)
      expect(res.json().error.code).toBe('ACCESS_KIOSK_LINK_NOT_FOUND')
    }
    expectStatus(
      await t.app.inject({ method: 'GET', url: `/api/v1/kiosk/${made.json().token}` }),
      200,
    )
  })
})
