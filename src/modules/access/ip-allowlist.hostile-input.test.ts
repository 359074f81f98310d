// IAM-8, SEC-3: hostile allowlist input (bad ranges, too many entries, wrong types, unicode, injection strings) gets a 4xx naming the entry, never a 500, and saves nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/support/app.ts'
import { newOrg, type Org, saveAllowlist } from './ip-allowlist.test-support.ts'

let t: TestApp
let o: Org

beforeAll(async () => {
  t = await createTestApp()
  o = await newOrg(t)
})
afterAll(() => t.close())

const BAD_CIDRS = [
  '10.0.0.0/33',
  '10.0.0.0/-1',
  '10.0.0.0/ 8',
  '10.0.0.0/8/8',
  '10.0.0.0/08a',
  '1.2.3',
  '127.1',
  '0x7f.0.0.1',
  '0177.0.0.1',
  '256.1.1.1',
  '::1/129',
  'fe80::1%eth0',
  '2001:db8:::1',
  ' ',
  'localhost',
  '１.２.３.４',
  '1.2.3.4\u0000',
  "1.2.3.4'; DROP TABLE ip_allowlist_entries; --",
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the attack
  '${jndi:ldap://x}',
  'a'.repeat(64),
]

async function storedCount(): Promise<number> {
  const res = await t.app.inject({
    method: 'GET',
    url: '/api/v1/tenant/ip-allowlist',
    headers: o.owner.authorization,
  })
  return res.json().entries.length
}

describe('IAM-8 allowlist hostile input', () => {
  it.each(BAD_CIDRS)('refuses %j with 422 naming entry 1', async (cidr) => {
    const res = await saveAllowlist(t, o.owner, { entries: [{ cidr: '127.0.0.1' }, { cidr }] })
    expect(res.statusCode, res.body).toBe(422)
    expect(res.json().error).toMatchObject({ code: 'ACCESS_CIDR_INVALID', details: { index: 1 } })
    expect(res.json().error.message).toContain('Entry 1')
    expect(await storedCount()).toBe(0)
  })

  it('refuses 101 entries with 400, accepts 100', async () => {
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ cidr: `10.0.${Math.floor(i / 256)}.${i % 256}` }))
    const over = await saveAllowlist(t, o.owner, { entries: [{ cidr: '127.0.0.1' }, ...many(100)] })
    expect(over.statusCode, over.body).toBe(400)
    const ok = await saveAllowlist(t, o.owner, { entries: [{ cidr: '127.0.0.1' }, ...many(99)] })
    expect(ok.statusCode, ok.body).toBe(200)
    expect(ok.json().entries).toHaveLength(100)
    expect((await saveAllowlist(t, o.owner, { entries: [] })).statusCode).toBe(200)
  })

  it.each([
    ['no body', undefined],
    ['entries a string', { entries: '127.0.0.1' }],
    ['entries null', { entries: null }],
    ['an entry a number', { entries: [1] }],
    ['cidr a number', { entries: [{ cidr: 2130706433 }] }],
    ['cidr an array', { entries: [{ cidr: ['127.0.0.1'] }] }],
    ['label a number', { entries: [{ cidr: '127.0.0.1', label: 5 }] }],
    ['an unknown field', { entries: [{ cidr: '127.0.0.1', tenant_id: 'x' }] }],
    ['an empty cidr', { entries: [{ cidr: '' }] }],
    ['a long label', { entries: [{ cidr: '127.0.0.1', label: 'x'.repeat(200) }] }],
    ['a prototype key', JSON.parse('{"entries":[],"__proto__":{"admin":true}}')],
  ])('refuses %s with 400', async (_name, payload) => {
    const res = await saveAllowlist(t, o.owner, payload)
    expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400)
    expect(res.statusCode).toBeLessThan(500)
    expect(await storedCount()).toBe(0)
  })

  it('refuses labels over 64 characters or with control characters, and duplicate ranges, with 422', async () => {
    for (const entries of [
      [{ cidr: '127.0.0.1', label: 'é'.repeat(65) }],
      [{ cidr: '127.0.0.1', label: 'line\nbreak' }],
      [{ cidr: '127.0.0.1', label: 'bidi\u2028' }],
      [{ cidr: '127.0.0.1' }, { cidr: '127.0.0.1/32' }],
      [{ cidr: '127.0.0.0/8' }, { cidr: '127.1.2.3/8' }],
    ]) {
      const res = await saveAllowlist(t, o.owner, { entries })
      expect(res.statusCode, res.body).toBe(422)
      expect(res.json().error.code).toMatch(/^ACCESS_(LABEL_INVALID|CIDR_DUPLICATE)$/)
    }
    expect(await storedCount()).toBe(0)
  })

  it('takes an injection string as a label, as text', async () => {
    const label = "x'); DELETE FROM ip_allowlist_entries; --"
    const res = await saveAllowlist(t, o.owner, { entries: [{ cidr: '127.0.0.1', label }] })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().entries[0].label).toBe(label)
    expect((await saveAllowlist(t, o.owner, { entries: [] })).statusCode).toBe(200)
  })
})
