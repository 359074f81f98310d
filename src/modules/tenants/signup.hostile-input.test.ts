// SEC-3, SEC-4: hostile sign-up input never produces a 500, a half-written tenant or a second
// winner for one slug.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  STRONG_PASSWORD,
  type TestApp,
  uniqueSlug,
} from '../../../test/support/app.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const HOSTILE_STRINGS = [
  "'; DROP TABLE tenants; --",
  "' OR '1'='1",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '\u0000nul',
  '\u202Eevil-rtl',
  'Zoë 🦄 東京 مرحبا',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell probe, meant literally
  '${jndi:ldap://x}',
  '../../etc/passwd',
  'a'.repeat(10_000),
]

async function counts() {
  const db = t.database.handle.db
  const tenants = await db
    .selectFrom('tenants')
    .select(db.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  const users = await db
    .selectFrom('users')
    .select(db.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return { tenants: Number(tenants.n), users: Number(users.n) }
}

function base(slug = uniqueSlug('hostile')) {
  return {
    organisationName: 'Hostile Org',
    slug,
    ownerEmail: `owner@${slug}.example`,
    ownerPassword: STRONG_PASSWORD,
  }
}

describe('sign-up under hostile input', () => {
  it('SEC-3: every hostile string in every field gives 201 or a 4xx with a code, never a 500', async () => {
    for (const field of ['organisationName', 'slug', 'ownerEmail', 'ownerPassword', 'region']) {
      for (const value of HOSTILE_STRINGS) {
        const before = await counts()
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/signup',
          payload: { ...base(), [field]: value },
        })
        expect(res.statusCode, `${field}=${JSON.stringify(value).slice(0, 40)}`).toBeLessThan(500)
        if (res.statusCode !== 201) {
          expect(res.json().error.code).toMatch(/^[A-Z_]+$/)
          // Nothing half-written: a refused sign-up leaves no tenant and no user behind.
          expect(await counts()).toEqual(before)
        }
      }
    }
  })

  it('stores unicode and markup in the organisation name verbatim, as data', async () => {
    const body = { ...base(), organisationName: '<b>Zoë & Co</b> 🦄 東京' }
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/signup', payload: body })
    expect(res.statusCode).toBe(201)
    expect(res.json().tenant.name).toBe('<b>Zoë & Co</b> 🦄 东京'.replace('东', '東'))
    expect(res.headers['content-type']).toContain('application/json')
  })

  it.each([
    ['a number for a string', { organisationName: 42 }],
    ['an array for a string', { slug: ['a', 'b'] }],
    ['null', { ownerEmail: null }],
    ['an object', { ownerPassword: { $ne: '' } }],
    ['a missing field', { organisationName: undefined }],
    ['an unknown field', { isAdmin: true }],
    ['a control character in the name', { organisationName: 'Acme\u0000\nInc' }],
    ['an upper-case slug', { slug: 'ACME' }],
    ['a slug with a trailing hyphen', { slug: 'acme-' }],
    ['an address without a domain', { ownerEmail: 'owner@' }],
  ])('SEC-3: refuses %s with 400 REQUEST_INVALID', async (_what, patch) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/signup',
      payload: { ...base(), ...patch },
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('REQUEST_INVALID')
  })

  it('SEC-3: refuses a __proto__ key (prototype pollution) with 400 before any handler runs', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/signup',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(base()).replace('{', '{"__proto__":{"role":"owner"},'),
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('REQUEST_MALFORMED_JSON')
  })

  it('SEC-4: refuses an oversize body with 413 REQUEST_BODY_TOO_LARGE', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/signup',
      payload: { ...base(), organisationName: 'x'.repeat(t.config.limits.bodyBytes + 1) },
    })
    expect(res.statusCode).toBe(413)
    expect(res.json().error.code).toBe('REQUEST_BODY_TOO_LARGE')
  })

  it('SEC-3: refuses a non-JSON content type with 415 and malformed JSON with 400', async () => {
    const form = await t.app.inject({
      method: 'POST',
      url: '/api/v1/signup',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'slug=acme',
    })
    expect(form.statusCode).toBe(415)
    expect(form.json().error.code).toBe('REQUEST_UNSUPPORTED_MEDIA_TYPE')
    const broken = await t.app.inject({
      method: 'POST',
      url: '/api/v1/signup',
      headers: { 'content-type': 'application/json' },
      payload: '{"slug": ',
    })
    expect(broken.statusCode).toBe(400)
    expect(broken.json().error.code).toBe('REQUEST_MALFORMED_JSON')
  })

  it('parallel sign-ups racing for one slug: exactly one wins, the rest get 409', async () => {
    const slug = uniqueSlug('race')
    const attempts = Array.from({ length: 8 }, (_, i) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/signup',
        payload: { ...base(slug), ownerEmail: `owner${i}@race.example` },
      }),
    )
    const statuses = (await Promise.all(attempts)).map((r) => r.statusCode).sort()
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409])
    const db = t.database.handle.db
    const rows = await db.selectFrom('tenants').select('id').where('slug', '=', slug).execute()
    expect(rows).toHaveLength(1)
    const owners = await db
      .selectFrom('users')
      .select('id')
      .where('tenant_id', '=', (rows[0] as { id: string }).id)
      .execute()
    expect(owners).toHaveLength(1)
  })
})
