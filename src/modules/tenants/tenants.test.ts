// IAM-1, IAM-2, DATA-6: organisations sign up with their owner, through HTTP, on a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  STRONG_PASSWORD,
  type TestApp,
  uniqueSlug,
} from '../../../test/support/app.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ env: { RAMPART_REGIONS: 'eu,us', RAMPART_DEFAULT_REGION: 'eu' } })
})
afterAll(() => t.close())

function signUpBody(overrides: Record<string, unknown> = {}) {
  const slug = uniqueSlug('acme')
  return {
    organisationName: 'Acme GmbH',
    slug,
    ownerEmail: `owner@${slug}.example`,
    ownerPassword: STRONG_PASSWORD,
    ...overrides,
  }
}

describe('POST /api/v1/signup', () => {
  it('IAM-1: creates the organisation and its owner, without echoing the password', async () => {
    const body = signUpBody()
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/signup', payload: body })
    expect(res.statusCode).toBe(201)
    const json = res.json()
    expect(json.tenant).toMatchObject({ slug: body.slug, name: 'Acme GmbH', region: 'eu' })
    expect(json.owner).toMatchObject({ email: body.ownerEmail, role: 'owner' })
    expect(res.body).not.toContain(STRONG_PASSWORD)
    const stored = await t.database.handle.db
      .selectFrom('users')
      .select(['password_hash', 'tenant_id'])
      .where('id', '=', json.owner.id)
      .executeTakeFirstOrThrow()
    expect(stored.tenant_id).toBe(json.tenant.id)
    expect(stored.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
  })

  it('DATA-6: keeps the region chosen at sign-up and refuses one not offered', async () => {
    const us = await t.app.inject({
      method: 'POST',
      url: '/api/v1/signup',
      payload: signUpBody({ region: 'us' }),
    })
    expect(us.statusCode).toBe(201)
    expect(us.json().tenant.region).toBe('us')
    const mars = await t.app.inject({
      method: 'POST',
      url: '/api/v1/signup',
      payload: signUpBody({ region: 'mars' }),
    })
    expect(mars.statusCode).toBe(422)
    expect(mars.json().error.code).toBe('TENANT_REGION_UNKNOWN')
  })

  it('gives 409 TENANT_SLUG_TAKEN for a slug already in use', async () => {
    const body = signUpBody()
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/v1/signup', payload: body })).statusCode,
    ).toBe(201)
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/signup',
      payload: { ...body, ownerEmail: 'someone@else.example' },
    })
    expect(again.statusCode).toBe(409)
    expect(again.json()).toEqual({
      error: { code: 'TENANT_SLUG_TAKEN', message: expect.any(String) },
    })
  })

  it('refuses reserved slugs with 422 TENANT_SLUG_RESERVED', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/signup',
      payload: signUpBody({ slug: 'admin' }),
    })
    expect(res.statusCode).toBe(422)
    expect(res.json().error.code).toBe('TENANT_SLUG_RESERVED')
  })

  it.each([
    ['too short', 'Sh0rt-pass', 'IDENTITY_PASSWORD_TOO_SHORT'],
    ['too long', 'a'.repeat(257), 'IDENTITY_PASSWORD_TOO_LONG'],
    ['common', 'password1234', 'IDENTITY_PASSWORD_COMMON'],
    ['guessable', 'aaaaaaaaaaaaaaaa', 'IDENTITY_PASSWORD_WEAK'],
    ['built on the slug', 'acme-acme-acme-2024', 'IDENTITY_PASSWORD_WEAK'],
  ])('IAM-2: refuses a %s password with 422 %s', async (_what, password, code) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/signup',
      payload: signUpBody({ ownerPassword: password }),
    })
    expect(res.statusCode).toBe(422)
    expect(res.json().error.code).toBe(code)
  })

  it('IAM-2: accepts long passphrases in any script, without composition rules', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/signup',
      payload: signUpBody({ ownerPassword: 'Zürcher Gletscher schmelzen leise 🏔️ 東京' }),
    })
    expect(res.statusCode).toBe(201)
  })
})
