// AUTHZ-3: kiosk tokens cannot be guessed at speed: per client address, at most
// kioskThrottleAfter failed guesses per window are ever checked (however many arrive at once),
// then the address is throttled (429 with Retry-After), then blocked (valid links included),
// the block recorded once on the platform log; other addresses are unaffected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type SignedIn, type TestApp } from '../../../test/support/app.ts'
import { PLATFORM_LOG } from '../audit/events.ts'
import { newDashboard } from '../data/dashboards.test-support.ts'
import { call, expectStatus, loggedEvents } from '../data/data.test-support.ts'
import { newOrg } from './groups.test-support.ts'

const THROTTLE_AFTER = 3
const BLOCK_AFTER = 6
const WINDOW_SECONDS = 600
const BLOCK_SECONDS = 3600

let t: TestApp
let owner: SignedIn
let dashboardId: string
let valid: string

const unknown = (n: number) => `kl_${String(n).padStart(43, 'x')}`
const view = (token: string, remoteAddress: string) =>
  t.app.inject({ method: 'GET', url: `/api/v1/kiosk/${token}`, remoteAddress })

async function newToken(
  body: Record<string, unknown> = {},
): Promise<{ token: string; id: string }> {
  const res = await call(t, owner, 'POST', '/api/v1/kiosk-links', {
    name: 'Screen',
    dashboardIds: [dashboardId],
    ...body,
  })
  expectStatus(res, 201)
  return { token: res.json().token, id: res.json().kioskLink.id }
}

beforeAll(async () => {
  t = await createTestApp({
    env: {
      RAMPART_KIOSK_THROTTLE_AFTER: String(THROTTLE_AFTER),
      RAMPART_KIOSK_BLOCK_AFTER: String(BLOCK_AFTER),
      RAMPART_KIOSK_WINDOW_SECONDS: String(WINDOW_SECONDS),
      RAMPART_KIOSK_BLOCK_SECONDS: String(BLOCK_SECONDS),
    },
  })
  ;({ owner } = await newOrg(t))
  dashboardId = (await newDashboard(t, owner, [], 'Wall')).id
  valid = (await newToken()).token
})
afterAll(() => t.close())

describe('kiosk token guessing', () => {
  it('AUTHZ-3: after kioskThrottleAfter failures an address gets 429 with Retry-After; other addresses are unaffected', async () => {
    const ip = '198.51.100.10'
    for (let i = 0; i < THROTTLE_AFTER; i++) {
      const res = await view(unknown(i), ip)
      expectStatus(res, 404)
      expect(res.json().error.code).toBe('ACCESS_KIOSK_NOT_FOUND')
    }
    const throttled = await view(unknown(99), ip)
    expectStatus(throttled, 429)
    expect(throttled.json().error.code).toBe('ACCESS_KIOSK_THROTTLED')
    const retryAfter = Number(throttled.headers['retry-after'])
    expect(retryAfter).toBeGreaterThan(WINDOW_SECONDS - 60)
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS)
    // Throttled means no token is checked at all, a valid one included.
    expectStatus(await view(valid, ip), 429)
    // Another address guesses and views as before.
    expectStatus(await view(unknown(1), '198.51.100.11'), 404)
    expectStatus(await view(valid, '198.51.100.11'), 200)
  })

  it('AUTHZ-3: at kioskBlockAfter the address is blocked, valid links included, and the block is audited once', async () => {
    const ip = '198.51.100.20'
    const codes: string[] = []
    for (let i = 0; i < BLOCK_AFTER + 3; i++) {
      codes.push((await view(unknown(i), ip)).json().error.code)
    }
    expect(codes).toEqual([
      ...Array(THROTTLE_AFTER).fill('ACCESS_KIOSK_NOT_FOUND'),
      ...Array(BLOCK_AFTER - THROTTLE_AFTER - 1).fill('ACCESS_KIOSK_THROTTLED'),
      ...Array(4).fill('ACCESS_KIOSK_BLOCKED'),
    ])
    const blocked = await view(valid, ip)
    expectStatus(blocked, 429)
    expect(blocked.json().error.code).toBe('ACCESS_KIOSK_BLOCKED')
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(BLOCK_SECONDS - 60)
    const page = await t.app.inject({ method: 'GET', url: `/kiosk/${valid}`, remoteAddress: ip })
    expectStatus(page, 429)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['retry-after']).toBeDefined()
    const blocks = (await loggedEvents(t, PLATFORM_LOG)).filter(
      (e) =>
        e.action === 'kiosk_link.client_block' &&
        (e as { source?: { ip: string } }).source?.ip === ip,
    )
    expect(blocks).toHaveLength(1)
    expect(blocks[0]).toMatchObject({
      outcome: 'failure',
      reason: 'too_many_failures',
      actor: { type: 'anonymous' },
    })
  })

  it('AUTHZ-3: a window that has run out counts afresh, and a block ends after kioskBlockSeconds', async () => {
    const ip = '198.51.100.30'
    for (let i = 0; i < BLOCK_AFTER; i++) await view(unknown(i), ip)
    expectStatus(await view(valid, ip), 429)
    // The block's time passes (the owner connection moves it back).
    await t.database.handle.db
      .updateTable('kiosk_guards')
      .set({
        blocked_until: new Date(Date.now() - 1000),
        window_started_at: new Date(Date.now() - 7_200_000),
      })
      .where('client', '=', ip)
      .execute()
    expectStatus(await view(valid, ip), 200)
    const throttledIp = '198.51.100.31'
    for (let i = 0; i <= THROTTLE_AFTER; i++) await view(unknown(i), throttledIp)
    expectStatus(await view(unknown(0), throttledIp), 429)
    await t.database.handle.db
      .updateTable('kiosk_guards')
      .set({ window_started_at: new Date(Date.now() - (WINDOW_SECONDS + 1) * 1000) })
      .where('client', '=', throttledIp)
      .execute()
    expectStatus(await view(unknown(0), throttledIp), 404)
  })

  it('AUTHZ-3: parallel guesses cannot exceed the limit: exactly kioskThrottleAfter are checked', async () => {
    const ip = '198.51.100.40'
    const answers = await Promise.all(Array.from({ length: 15 }, (_, i) => view(unknown(i), ip)))
    const checked = answers.filter((r) => r.statusCode === 404)
    const refused = answers.filter((r) => r.statusCode === 429)
    expect(checked).toHaveLength(THROTTLE_AFTER)
    expect(refused).toHaveLength(15 - THROTTLE_AFTER)
    const guard = await t.database.handle.db
      .selectFrom('kiosk_guards')
      .selectAll()
      .where('client', '=', ip)
      .executeTakeFirstOrThrow()
    expect(guard.failures).toBe(15)
    expect(guard.blocked_until).not.toBeNull()
  })

  it('AUTHZ-3: revoked, expired and address-refused links count as failed guesses too', async () => {
    const ip = '203.0.113.50'
    const revoked = await newToken()
    expectStatus(await call(t, owner, 'DELETE', `/api/v1/kiosk-links/${revoked.id}`), 200)
    const expiring = await newToken({ expiresAt: new Date(Date.now() + 3_600_000).toISOString() })
    await t.database.handle.db
      .updateTable('kiosk_links')
      .set({
        created_at: new Date(Date.now() - 7_200_000),
        expires_at: new Date(Date.now() - 1000),
      })
      .where('id', '=', expiring.id)
      .execute()
    const elsewhere = await newToken({ ipAllowlist: ['192.0.2.0/24'] })
    for (const token of [revoked.token, expiring.token, elsewhere.token]) {
      expectStatus(await view(token, ip), 404)
    }
    expectStatus(await view(valid, ip), 429)
  })

  it('AUTHZ-3: an IPv6 client is counted by its /64: fresh addresses in it share one counter', async () => {
    for (let i = 0; i < THROTTLE_AFTER; i++) {
      expectStatus(await view(unknown(i), `2001:db8:aa:bb::${i + 1}`), 404)
    }
    expectStatus(await view(unknown(9), '2001:db8:aa:bb:ffff::9'), 429)
    expectStatus(await view(valid, '2001:db8:aa:bc::1'), 200)
  })

  it('AUTHZ-3: valid views neither count as failures nor wipe earlier ones', async () => {
    const ip = '198.51.100.60'
    expectStatus(await view(unknown(1), ip), 404)
    expectStatus(await view(unknown(2), ip), 404)
    for (let i = 0; i < 5; i++) expectStatus(await view(valid, ip), 200)
    expectStatus(await view(unknown(3), ip), 404)
    expectStatus(await view(unknown(4), ip), 429)
  })
})
