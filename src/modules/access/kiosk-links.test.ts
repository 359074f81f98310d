// AUTHZ-3: kiosk links through the API: made and listed by data.manage, viewed without sign-in as
// a self-refreshing page under the strict CSP and as JSON, expiring, limited to CIDR ranges
// (IPv4 and IPv6), revoked at once, every view audited, every text escaped, the token stored
// only as its hash and kept out of the request log.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedIn,
  type SignedUp,
  type TestApp,
} from '../../../test/support/app.ts'
import type { Dashboard } from '../data/dashboards.service.ts'
import {
  addRecords,
  newDashboard,
  newSalesCollection,
  SALES_FIELDS,
  times,
} from '../data/dashboards.test-support.ts'
import { call, expectStatus, loggedEvents, newCollection } from '../data/data.test-support.ts'
import { addUser } from '../identity/members.test-support.ts'
import { newOrg } from './groups.test-support.ts'

let t: TestApp
let org: SignedUp
let owner: SignedIn
let tenantId: string
let dashboard: Dashboard
let xss: Dashboard

const XSS = {
  collection: '<script>alert("c")</script>',
  dashboard: '"><img src=x onerror=alert(1)>',
  title: "<b onmouseover='x'>Title</b>",
  label: '<svg onload=alert(2)>',
  link: '</title><script>alert(3)</script>',
}

interface Created {
  kioskLink: {
    id: string
    status: string
    prefix: string
    dashboardIds: string[]
    ipAllowlist: string[]
  }
  token: string
  url: string
}

async function newLink(body: Record<string, unknown> = {}): Promise<Created> {
  const res = await call(t, owner, 'POST', '/api/v1/kiosk-links', {
    name: 'Lobby screen',
    dashboardIds: [dashboard.id],
    ...body,
  })
  expectStatus(res, 201)
  return res.json() as Created
}

const page = (token: string, remoteAddress = '127.0.0.1') =>
  t.app.inject({ method: 'GET', url: `/kiosk/${token}`, remoteAddress })
const json = (token: string, remoteAddress = '127.0.0.1') =>
  t.app.inject({ method: 'GET', url: `/api/v1/kiosk/${token}`, remoteAddress })

beforeAll(async () => {
  // Guessing limits get their own test (kiosk-links.brute-force.test.ts); here refusals abound.
  t = await createTestApp({
    captureLogs: true,
    env: { RAMPART_KIOSK_THROTTLE_AFTER: '1000', RAMPART_KIOSK_BLOCK_AFTER: '1000' },
  })
  ;({ org, owner } = await newOrg(t))
  tenantId = org.tenant.id
  const sales = await newSalesCollection(t, owner)
  await addRecords(t, owner, sales.id, [
    ...times(6, { region: 'north', amount: 10, customer: 'Ada Lovelace' }),
    ...times(5, { region: 'south', amount: 20, customer: 'Ada Lovelace' }),
    ...times(2, { region: 'east', amount: 30, customer: 'Ada Lovelace' }),
    ...times(3, { region: 'west', amount: 30, customer: 'Ada Lovelace' }),
  ])
  dashboard = await newDashboard(
    t,
    owner,
    [
      { title: 'Sales by region', collectionId: sales.id, aggregate: 'count', groupBy: 'region' },
      { title: 'Revenue', collectionId: sales.id, aggregate: 'sum', field: 'amount' },
    ],
    'Lobby',
  )
  const hostile = await newCollection(t, owner, {
    name: XSS.collection,
    fields: SALES_FIELDS,
    subjectField: null,
  })
  await addRecords(t, owner, hostile.id, times(5, { region: XSS.label }))
  xss = await newDashboard(
    t,
    owner,
    [{ title: XSS.title, collectionId: hostile.id, aggregate: 'count', groupBy: 'region' }],
    XSS.dashboard,
  )
})
afterAll(() => t.close())

describe('kiosk links', () => {
  it('AUTHZ-3: a link is created with a 256-bit token shown once; only its SHA-256 is stored', async () => {
    const res = await call(t, owner, 'POST', '/api/v1/kiosk-links', {
      name: 'Lobby screen',
      dashboardIds: [dashboard.id],
    })
    expectStatus(res, 201)
    expect(res.headers['cache-control']).toBe('no-store')
    const { kioskLink, token, url } = res.json() as Created
    expect(token).toMatch(/^kl_[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(token.slice(3), 'base64url')).toHaveLength(32)
    expect(url).toBe(`${t.config.publicUrl.replace(/\/$/, '')}/kiosk/${token}`)
    expect(kioskLink).toMatchObject({
      status: 'active',
      prefix: token.slice(0, 11),
      dashboardIds: [dashboard.id],
      ipAllowlist: [],
      expiresAt: null,
    })
    const row = await t.database.handle.db
      .selectFrom('kiosk_links')
      .selectAll()
      .where('id', '=', kioskLink.id)
      .executeTakeFirstOrThrow()
    expect(row.token_hash).toBe(createHash('sha256').update(token).digest('hex'))
    expect(JSON.stringify(row)).not.toContain(token.slice(11))
    // Listed and read back without the token.
    const list = await call(t, owner, 'GET', '/api/v1/kiosk-links')
    expectStatus(list, 200)
    expect(list.json().kioskLinks.map((l: { id: string }) => l.id)).toContain(kioskLink.id)
    const one = await call(t, owner, 'GET', `/api/v1/kiosk-links/${kioskLink.id}`)
    expect(one.json()).toEqual(kioskLink)
    expect(list.body + one.body).not.toContain(token)
    const events = await loggedEvents(t, tenantId)
    expect(events).toContainEqual(
      expect.objectContaining({
        action: 'kiosk_link.create',
        target: { type: 'kiosk_link', id: kioskLink.id },
      }),
    )
    expect(JSON.stringify(events)).not.toContain(token)
  })

  it('AUTHZ-3, SEC-2: the page refreshes itself without JavaScript, under the strict CSP, with no-store and no-referrer', async () => {
    const { token } = await newLink()
    const res = await page(token)
    expectStatus(res, 200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    const csp = String(res.headers['content-security-policy'])
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("style-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(res.body).toContain('<meta http-equiv="refresh" content="300">')
    expect(res.body).toContain('<link rel="stylesheet" href="/kiosk/assets/kiosk.css">')
    expect(res.body).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i)
    expect(res.body).toContain('Sales by region')
    expect(res.body).toContain('<td>north</td><td class="value">6</td>')
    expect(res.body).toContain('2 groups hidden (fewer than 5 records)')
    expect(res.body).not.toContain('east')
    expect(res.body).not.toContain('west')
    expect(res.body).not.toContain('Ada Lovelace')
    const css = await t.app.inject({ method: 'GET', url: '/kiosk/assets/kiosk.css' })
    expectStatus(css, 200)
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8')
  })

  it('AUTHZ-3: the same results as JSON, suppressed, never records', async () => {
    const { token, kioskLink } = await newLink()
    const res = await json(token)
    expectStatus(res, 200)
    expect(res.headers['cache-control']).toBe('no-store')
    const body = res.json()
    expect(body.link).toEqual({ id: kioskLink.id, name: 'Lobby screen' })
    expect(body.refreshSeconds).toBe(300)
    expect(body.dashboards).toHaveLength(1)
    const [byRegion, revenue] = body.dashboards[0].widgets
    expect(byRegion.groups).toEqual([
      { label: 'north', value: 6 },
      { label: 'south', value: 5 },
    ])
    expect(byRegion.suppressed).toBe(2)
    expect(revenue.value).toBe(310)
    expect(res.body).not.toContain('Ada Lovelace')
  })

  it('SEC-2: every organisation text on the page is escaped: markup shows as text', async () => {
    const { token } = await newLink({ name: XSS.link, dashboardIds: [xss.id, dashboard.id] })
    const res = await page(token)
    expectStatus(res, 200)
    for (const text of Object.values(XSS)) {
      expect(res.body).not.toContain(text)
    }
    expect(res.body).not.toMatch(/<script|<img|<svg|<b /i)
    expect(res.body).toContain('&lt;/title&gt;&lt;script&gt;alert(3)&lt;/script&gt;')
    expect(res.body).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;')
    expect(res.body).toContain('&lt;b onmouseover=&#39;x&#39;&gt;Title&lt;/b&gt;')
    expect(res.body).toContain('&lt;svg onload=alert(2)&gt;')
    expect(res.body).toContain('&lt;script&gt;alert(&quot;c&quot;)&lt;/script&gt;')
    // JSON carries the text as it is, for clients that render it safely.
    const data = (await json(token)).json()
    expect(data.dashboards[0].widgets[0].groups[0].label).toBe(XSS.label)
  })

  it('AUTHZ-3, LOG-1: every view is recorded in the organisation log with the link and the address', async () => {
    const { token, kioskLink } = await newLink()
    await page(token, '198.51.100.7')
    await json(token, '2001:db8::7')
    await page(token, '198.51.100.7')
    const views = (await loggedEvents(t, tenantId)).filter(
      (e) => e.action === 'kiosk_link.view' && e.target?.id === kioskLink.id,
    )
    expect(views).toHaveLength(3)
    for (const event of views) {
      expect(event).toMatchObject({
        outcome: 'success',
        actor: { type: 'anonymous' },
        target: { type: 'kiosk_link' },
      })
    }
    const sources = views.map((e) => (e as { source?: { ip: string } }).source?.ip)
    expect(sources).toEqual(['198.51.100.7', '2001:db8::7', '198.51.100.7'])
  })

  it('AUTHZ-3: an expired link is refused like an unknown one', async () => {
    const soon = new Date(Date.now() + 3_600_000).toISOString()
    const { token, kioskLink } = await newLink({ expiresAt: soon })
    expect(kioskLink).toMatchObject({ status: 'active', expiresAt: soon })
    expectStatus(await page(token), 200)
    // An hour passes (the owner connection moves the link's times back).
    await t.database.handle.db
      .updateTable('kiosk_links')
      .set({
        created_at: new Date(Date.now() - 7_200_000),
        expires_at: new Date(Date.now() - 1000),
      })
      .where('id', '=', kioskLink.id)
      .execute()
    for (const res of [await page(token), await json(token)]) {
      expectStatus(res, 404)
    }
    expect((await json(token)).json().error.code).toBe('ACCESS_KIOSK_NOT_FOUND')
    const unknown = await json(`kl_${'A'.repeat(43)}`)
    expect(unknown.json().error).toEqual((await json(token)).json().error)
    const got = await call(t, owner, 'GET', `/api/v1/kiosk-links/${kioskLink.id}`)
    expect(got.json().status).toBe('expired')
    const past = await call(t, owner, 'POST', '/api/v1/kiosk-links', {
      name: 'Late',
      dashboardIds: [dashboard.id],
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    })
    expectStatus(past, 422)
    expect(past.json().error.code).toBe('ACCESS_KIOSK_EXPIRY_INVALID')
  })

  it('IAM-8, AUTHZ-3: an IP allowlist of IPv4 and IPv6 ranges admits only those addresses', async () => {
    const { token, kioskLink } = await newLink({ ipAllowlist: ['203.0.113.0/24', '2001:DB8::/32'] })
    expect(kioskLink.ipAllowlist).toEqual(['203.0.113.0/24', '2001:db8::/32'])
    for (const ip of ['203.0.113.7', '2001:db8:1::5', '::ffff:203.0.113.9']) {
      expectStatus(await page(token, ip), 200)
    }
    for (const ip of ['198.51.100.1', '2001:db9::1', '::1', '127.0.0.1']) {
      const res = await json(token, ip)
      expectStatus(res, 404)
      expect(res.json().error.code).toBe('ACCESS_KIOSK_NOT_FOUND')
    }
    const denials = (await loggedEvents(t, tenantId)).filter(
      (e) =>
        e.action === 'kiosk_link.view' && e.target?.id === kioskLink.id && e.outcome === 'failure',
    )
    expect(denials).toHaveLength(4)
    expect(denials.every((e) => e.reason === 'ip_not_allowed')).toBe(true)
  })

  it('AUTHZ-3: a revoked link is refused at the very next request', async () => {
    const { token, kioskLink } = await newLink()
    expectStatus(await json(token), 200)
    const revoked = await call(t, owner, 'DELETE', `/api/v1/kiosk-links/${kioskLink.id}`)
    expectStatus(revoked, 200)
    expect(revoked.json()).toMatchObject({ id: kioskLink.id, status: 'revoked' })
    expectStatus(await json(token), 404)
    expectStatus(await page(token), 404)
    expect((await page(token)).body).toContain('does not exist, has expired or was revoked')
    // Revoking again changes nothing and records nothing more.
    expectStatus(await call(t, owner, 'DELETE', `/api/v1/kiosk-links/${kioskLink.id}`), 200)
    const revokes = (await loggedEvents(t, tenantId)).filter(
      (e) => e.action === 'kiosk_link.revoke' && e.target?.id === kioskLink.id,
    )
    expect(revokes).toHaveLength(1)
  })

  it('AUTHZ-3: a deleted dashboard leaves every link it was on', async () => {
    const doomed = await newDashboard(t, owner, [], 'Doomed')
    const { token, kioskLink } = await newLink({ dashboardIds: [doomed.id, dashboard.id] })
    expect(kioskLink.dashboardIds).toEqual([doomed.id, dashboard.id])
    expectStatus(await call(t, owner, 'DELETE', `/api/v1/dashboards/${doomed.id}`), 204)
    const after = await call(t, owner, 'GET', `/api/v1/kiosk-links/${kioskLink.id}`)
    expect(after.json().dashboardIds).toEqual([dashboard.id])
    const view = (await json(token)).json()
    expect(view.dashboards.map((d: { dashboardId: string }) => d.dashboardId)).toEqual([
      dashboard.id,
    ])
  })

  it('AUTHZ-3: only data.manage makes, lists, reads and revokes links', async () => {
    const { kioskLink } = await newLink()
    const member = await addUser(t, org, 'member')
    for (const res of [
      await call(t, member.session, 'POST', '/api/v1/kiosk-links', {
        name: 'x',
        dashboardIds: [dashboard.id],
      }),
      await call(t, member.session, 'GET', '/api/v1/kiosk-links'),
      await call(t, member.session, 'GET', `/api/v1/kiosk-links/${kioskLink.id}`),
      await call(t, member.session, 'DELETE', `/api/v1/kiosk-links/${kioskLink.id}`),
    ]) {
      expectStatus(res, 403)
      expect(res.json().error.details).toEqual({ permission: 'data.manage' })
    }
  })

  it('LOG-6: kiosk tokens never reach the request log; the paths are logged redacted', async () => {
    const { token } = await newLink()
    await page(token)
    await t.app.inject({ method: 'GET', url: `/kiosk/${token}?refresh=1` })
    await t.app.inject({ method: 'GET', url: `/%6Biosk/${token}` })
    await t.app.inject({ method: 'GET', url: `/api/v1/kiosk/${token}/extra` })
    const text = JSON.stringify(t.logs)
    expect(text).toContain('/kiosk/[redacted]')
    expect(text).toContain('/kiosk/assets/kiosk.css')
    expect(text).not.toContain(token.slice(3))
    expect(text).not.toContain(encodeURIComponent(token).slice(3))
  })
})
