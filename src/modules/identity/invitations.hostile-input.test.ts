// SEC-3, SEC-4, IAM-1: hostile invitation input gets a 4xx with a stable code, never a 500 and
// never a stored row; the public routes are rate limited per client address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../../../test/support/app.ts'
import {
  call,
  createMembersTestApp,
  invite,
  type MembersTestApp,
  ownerOf,
  type TestUser,
} from './members.test-support.ts'

let t: MembersTestApp
let org: SignedUp
let owner: TestUser

beforeAll(async () => {
  t = await createMembersTestApp()
  org = await signUp(t.app)
  owner = await ownerOf(t, org)
})
afterAll(() => t.close())

async function invitationCount(): Promise<number> {
  const rows = await t.database.handle.db
    .selectFrom('invitations')
    .select('id')
    .where('tenant_id', '=', org.tenant.id)
    .execute()
  return rows.length
}

const LONG = 'x'.repeat(10_000)

describe('invitation input under attack', () => {
  it.each<[string, unknown]>([
    ['a unicode local part', { email: 'zoë@example.com', role: 'member' }],
    ['a unicode domain', { email: 'zoe@exämple.com', role: 'member' }],
    ['a right-to-left override', { email: 'a\u202e@example.com', role: 'member' }],
    ['a 10 kB address', { email: `${LONG}@example.com`, role: 'member' }],
    ['two addresses', { email: 'a@example.com, b@example.com', role: 'member' }],
    ['a header injection', { email: 'a@example.com\r\nBcc: all@example.com', role: 'member' }],
    ['an injection string', { email: "x'); DROP TABLE users; --@example.com", role: 'member' }],
    ['an address as a list', { email: ['a@example.com'], role: 'member' }],
    ['a null address', { email: null, role: 'member' }],
    ['an unknown role', { email: 'a@example.com', role: 'superadmin' }],
    ['a role in capitals', { email: 'a@example.com', role: 'OWNER' }],
    ['a role as a number', { email: 'a@example.com', role: 1 }],
    ['a 10 kB role', { email: 'a@example.com', role: LONG }],
    [
      'a tenant id alongside',
      { email: 'a@example.com', role: 'member', tenantId: '00000000-0000-4000-8000-000000000000' },
    ],
    ['no role', { email: 'a@example.com' }],
    ['a string body', 'a@example.com'],
  ])('SEC-3: %s is refused with 400 REQUEST_INVALID', async (_name, payload) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      headers: { ...owner.session.authorization, 'content-type': 'application/json' },
      payload: typeof payload === 'string' ? JSON.stringify(payload) : (payload as object),
    })
    expect(res.statusCode, res.body).toBe(400)
    expect(res.json().error.code).toBe('REQUEST_INVALID')
    expect(await invitationCount()).toBe(0)
  })

  it('SEC-3: an address with quotes and dashes is stored as text, not run', async () => {
    const email = `o'brien--x@${org.tenant.slug}.example`
    const { token } = await invite(t, owner.session, email)
    const shown = await call(t, undefined, 'POST', '/api/v1/invitations/inspect', { token })
    expect(shown.json().email).toBe(email)
    const users = await t.database.handle.db.selectFrom('users').select('id').execute()
    expect(users.length).toBeGreaterThan(0)
  })

  it.each<[string, unknown, number, string]>([
    ['a 10 kB token', { token: LONG }, 400, 'REQUEST_INVALID'],
    ['an empty token', { token: '' }, 400, 'REQUEST_INVALID'],
    ['a numeric token', { token: 42 }, 400, 'REQUEST_INVALID'],
    ['a token object', { token: { $ne: null } }, 400, 'REQUEST_INVALID'],
    ['an extra field', { token: 'x', tenant: 'acme' }, 400, 'REQUEST_INVALID'],
    ['a unicode token', { token: 'ŧøķęň'.repeat(8) }, 400, 'IDENTITY_INVITATION_TOKEN_INVALID'],
    [
      'a NUL in the token',
      { token: `${'A'.repeat(42)}\u0000` },
      400,
      'IDENTITY_INVITATION_TOKEN_INVALID',
    ],
  ])(
    'SEC-3: inspecting with %s gets a 4xx with a stable code',
    async (_name, payload, status, code) => {
      const res = await call(t, undefined, 'POST', '/api/v1/invitations/inspect', payload)
      expect(res.statusCode, res.body).toBe(status)
      expect(res.json().error.code).toBe(code)
    },
  )

  it.each<[string, (token: string) => unknown, number, string]>([
    ['a 10 kB password', (token) => ({ token, password: LONG }), 400, 'REQUEST_INVALID'],
    ['a numeric password', (token) => ({ token, password: 123456789012 }), 400, 'REQUEST_INVALID'],
    ['no password', (token) => ({ token }), 400, 'REQUEST_INVALID'],
    [
      'a role alongside',
      (token) => ({ token, password: 'x', role: 'owner' }),
      400,
      'REQUEST_INVALID',
    ],
    [
      'a 300-character password',
      (token) => ({ token, password: 'y'.repeat(300) }),
      422,
      'IDENTITY_PASSWORD_TOO_LONG',
    ],
  ])(
    'SEC-3: accepting with %s gets a 4xx with a stable code and creates nobody',
    async (_name, body, status, code) => {
      const email = `hostile-${status}-${code.length}-${Math.random().toString(36).slice(2)}@${org.tenant.slug}.example`
      const { token } = await invite(t, owner.session, email)
      const res = await call(t, undefined, 'POST', '/api/v1/invitations/accept', body(token))
      expect(res.statusCode, res.body).toBe(status)
      expect(res.json().error.code).toBe(code)
      const created = await t.database.handle.db
        .selectFrom('users')
        .select('id')
        .where('email_normalized', '=', email)
        .execute()
      expect(created).toEqual([])
    },
  )

  it("IAM-2: a unicode password of the policy's length and strength is accepted as given", async () => {
    const email = `unicode-pw@${org.tenant.slug}.example`
    const { token } = await invite(t, owner.session, email)
    const password = 'Ωmega-söyle-78-流れる-Kiwi'
    const res = await call(t, undefined, 'POST', '/api/v1/invitations/accept', { token, password })
    expect(res.statusCode, res.body).toBe(201)
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { tenant: org.tenant.slug, email, password: password.normalize('NFD') },
    })
    expect(signIn.statusCode).toBe(201)
  })

  it.each([
    ['not a uuid', '/api/v1/invitations/not-a-uuid'],
    ['a urn:uuid', '/api/v1/invitations/urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8'],
    ['an injection', "/api/v1/invitations/1'%20OR%20'1'='1"],
  ])('SEC-3: an invitation id that is %s gets 400 REQUEST_INVALID', async (_name, url) => {
    for (const [method, path] of [
      ['DELETE', url],
      ['POST', `${url}/resend`],
    ] as const) {
      const res = await call(t, owner.session, method, path)
      expect(res.statusCode, `${method} ${path}: ${res.body}`).toBe(400)
      expect(res.json().error.code).toBe('REQUEST_INVALID')
    }
  })

  it('SEC-3: an upper-case invitation id is refused with 400 and revokes nothing', async () => {
    const { id } = await invite(t, owner.session, `upper@${org.tenant.slug}.example`)
    const res = await call(t, owner.session, 'DELETE', `/api/v1/invitations/${id.toUpperCase()}`)
    expect(res.statusCode, res.body).toBe(400)
    expect(res.json().error.code).toBe('REQUEST_INVALID')
    expect((await call(t, owner.session, 'DELETE', `/api/v1/invitations/${id}`)).statusCode).toBe(
      204,
    )
  })
})

describe('SEC-4 the public invitation routes are rate limited', () => {
  it('SEC-4: beyond the limit, inspect and accept get 429 RATE_LIMITED', async () => {
    const limited = await createMembersTestApp({ RAMPART_RATE_LIMIT_PASSWORD_RESET: '3' })
    try {
      for (const url of ['/api/v1/invitations/inspect', '/api/v1/invitations/accept']) {
        const payload = { token: 'A'.repeat(43), password: 'amber-Falcon-93-slowly-Harvest' }
        const body = url.endsWith('inspect') ? { token: payload.token } : payload
        const statuses = []
        for (let i = 0; i < 4; i++) {
          statuses.push(
            (await limited.app.inject({ method: 'POST', url, payload: body })).statusCode,
          )
        }
        expect(statuses).toEqual([400, 400, 400, 429])
      }
    } finally {
      await limited.close()
    }
  })
})
