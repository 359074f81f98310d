// IAM-8: the organisation's IP allowlist holds on every authenticated request and at sign-in, for IPv4, IPv6 and IPv4-mapped addresses, behind trusted proxies only, never locks out its saver, and is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/support/app.ts'
import {
  allowOnly,
  auditEvents,
  meFrom,
  newOrg,
  saveAllowlist,
} from './ip-allowlist.test-support.ts'

let t: TestApp
let proxied: TestApp

beforeAll(async () => {
  t = await createTestApp()
  proxied = await createTestApp({ env: { RAMPART_TRUSTED_PROXIES: '10.0.0.1' } })
})
afterAll(async () => {
  await t.close()
  await proxied.close()
})

describe('IAM-8 IP allowlist', () => {
  it('an empty list restricts nothing; saved ranges come back normalised', async () => {
    const { owner } = await newOrg(t)
    expect((await meFrom(t, owner, '203.0.113.9')).statusCode).toBe(200)
    const get = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tenant/ip-allowlist',
      headers: owner.authorization,
    })
    expect(get.statusCode, get.body).toBe(200)
    expect(get.json()).toEqual({ entries: [] })
    const res = await saveAllowlist(t, owner, {
      entries: [
        { cidr: '127.0.0.1', label: 'Büro 東京 🏢' },
        { cidr: '10.1.2.3/8' },
        { cidr: '2001:DB8:0:0::1/32', label: '' },
        { cidr: '::ffff:192.0.2.77/120' },
      ],
    })
    expect(res.statusCode, res.body).toBe(200)
    const entries = res.json().entries as { cidr: string; label: string | null }[]
    expect(entries.map((e) => e.cidr).sort()).toEqual(
      ['10.0.0.0/8', '127.0.0.1/32', '192.0.2.0/24', '2001:db8::/32'].sort(),
    )
    expect(entries.find((e) => e.cidr === '127.0.0.1/32')?.label).toBe('Büro 東京 🏢')
    // An empty list lifts the restriction again.
    expect((await saveAllowlist(t, owner, { entries: [] })).statusCode).toBe(200)
    expect((await meFrom(t, owner, '203.0.113.9')).statusCode).toBe(200)
  })

  it('IPv4: an address inside a range is let in, one outside gets 403 ACCESS_IP_NOT_ALLOWED', async () => {
    const { owner } = await newOrg(t)
    await allowOnly(t, owner, ['127.0.0.1', '198.51.100.0/24'])
    expect((await meFrom(t, owner, '198.51.100.7')).statusCode).toBe(200)
    const denied = await meFrom(t, owner, '198.51.101.7')
    expect(denied.statusCode).toBe(403)
    expect(denied.json().error.code).toBe('ACCESS_IP_NOT_ALLOWED')
  })

  it('IPv6: an address inside a range is let in, one outside is refused', async () => {
    const { owner } = await newOrg(t)
    await allowOnly(t, owner, ['127.0.0.1', '2001:db8:abcd::/48'])
    expect((await meFrom(t, owner, '2001:db8:abcd:12::5')).statusCode).toBe(200)
    const denied = await meFrom(t, owner, '2001:db8:abce::5')
    expect(denied.statusCode).toBe(403)
    expect(denied.json().error.code).toBe('ACCESS_IP_NOT_ALLOWED')
  })

  it('an IPv4-mapped IPv6 client address is matched against IPv4 ranges', async () => {
    const { owner } = await newOrg(t)
    await allowOnly(t, owner, ['127.0.0.1', '198.51.100.0/24'])
    expect((await meFrom(t, owner, '::ffff:198.51.100.7')).statusCode).toBe(200)
    expect((await meFrom(t, owner, '::ffff:203.0.113.7')).statusCode).toBe(403)
  })

  it('X-Forwarded-For counts from a trusted proxy only', async () => {
    const { owner } = await newOrg(proxied)
    await allowOnly(proxied, owner, ['127.0.0.1', '198.51.100.0/24'])
    const xff = (ip: string) => ({ 'x-forwarded-for': ip })
    // Through the trusted proxy 10.0.0.1: the forwarded address decides.
    expect((await meFrom(proxied, owner, '10.0.0.1', xff('198.51.100.7'))).statusCode).toBe(200)
    expect((await meFrom(proxied, owner, '10.0.0.1', xff('203.0.113.7'))).statusCode).toBe(403)
    // From any other peer the header is ignored: the peer's own address decides.
    expect((await meFrom(proxied, owner, '192.0.2.50', xff('198.51.100.7'))).statusCode).toBe(403)
    expect((await meFrom(proxied, owner, '127.0.0.1', xff('203.0.113.7'))).statusCode).toBe(200)
    // Without a trusted proxy configured, the header is never believed.
    const plain = await newOrg(t)
    await allowOnly(t, plain.owner, ['127.0.0.1', '198.51.100.0/24'])
    expect((await meFrom(t, plain.owner, '10.0.0.1', xff('198.51.100.7'))).statusCode).toBe(403)
  })

  it('refuses a list that would exclude the saver: 409 ACCESS_ALLOWLIST_LOCKS_YOU_OUT, nothing saved', async () => {
    const { owner } = await newOrg(t)
    const res = await saveAllowlist(t, owner, { entries: [{ cidr: '198.51.100.0/24' }] })
    expect(res.statusCode).toBe(409)
    expect(res.json().error.code).toBe('ACCESS_ALLOWLIST_LOCKS_YOU_OUT')
    expect((await meFrom(t, owner, '203.0.113.9')).statusCode).toBe(200)
    // From an allowed IPv6 address, a list without it is refused just the same.
    await allowOnly(t, owner, ['127.0.0.1', '2001:db8::/32'])
    const v6 = await saveAllowlist(
      t,
      owner,
      { entries: [{ cidr: '127.0.0.1' }] },
      { remoteAddress: '2001:db8::42' },
    )
    expect(v6.statusCode).toBe(409)
  })

  it('sign-in from outside gets the same 401 as a wrong password, after as long', async () => {
    const { org, owner } = await newOrg(t)
    await allowOnly(t, owner, ['127.0.0.1'])
    const signIn = (password: string, remoteAddress: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        remoteAddress,
        payload: { tenant: org.tenant.slug, email: org.owner.email, password, mode: 'bearer' },
      })
    const wrong = await signIn(`${org.password}!`, '127.0.0.1')
    const started = Date.now()
    const outside = await signIn(org.password, '203.0.113.9')
    const took = Date.now() - started
    expect(outside.statusCode).toBe(401)
    expect(outside.json()).toEqual(wrong.json())
    expect(outside.json().error.code).toBe('IDENTITY_INVALID_CREDENTIALS')
    // The argon2 burn: a refusal is not instant.
    expect(took).toBeGreaterThan(5)
    const refusals = await auditEvents(t, owner, 'session.create')
    expect(refusals.some((e) => e.reason === 'ip_not_allowed' && e.outcome === 'failure')).toBe(
      true,
    )
    expect((await signIn(org.password, '127.0.0.1')).statusCode).toBe(201)
  })

  it('audits the change without addresses and every denial in the organisation log', async () => {
    const { org, owner } = await newOrg(t)
    await allowOnly(t, owner, ['127.0.0.1', '198.51.100.0/24'])
    await meFrom(t, owner, '203.0.113.9')
    const [update] = await auditEvents(t, owner, 'tenant.ip_allowlist.update')
    expect(update).toMatchObject({
      outcome: 'success',
      actor: { type: 'user', id: org.owner.id },
      fields: ['ip_allowlist'],
      source: { ip: '127.0.0.1' },
    })
    expect(JSON.stringify(update)).not.toContain('198.51.100')
    const [denial] = await auditEvents(t, owner, 'session.ip_denied')
    expect(denial).toMatchObject({
      outcome: 'failure',
      reason: 'ip_not_allowed',
      actor: { type: 'user', id: org.owner.id },
      source: { ip: '203.0.113.9' },
    })
  })

  it('members, viewers and auditors neither read nor change the list: 403 AUTH_PERMISSION_DENIED', async () => {
    const { org, owner } = await newOrg(t)
    await t.database.handle.db
      .updateTable('users')
      .set({ role: 'member' })
      .where('id', '=', org.owner.id)
      .execute()
    const get = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tenant/ip-allowlist',
      headers: owner.authorization,
    })
    expect(get.statusCode).toBe(403)
    expect(get.json().error.code).toBe('AUTH_PERMISSION_DENIED')
    const put = await saveAllowlist(t, owner, { entries: [] })
    expect(put.statusCode).toBe(403)
  })

  it("one organisation's list leaves another's requests alone", async () => {
    const a = await newOrg(t)
    const b = await newOrg(t)
    await allowOnly(t, a.owner, ['127.0.0.1'])
    expect((await meFrom(t, a.owner, '203.0.113.9')).statusCode).toBe(403)
    expect((await meFrom(t, b.owner, '203.0.113.9')).statusCode).toBe(200)
    const bList = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tenant/ip-allowlist',
      headers: b.owner.authorization,
    })
    expect(bList.json()).toEqual({ entries: [] })
  })
})
