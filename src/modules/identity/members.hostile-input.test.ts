// SEC-3: hostile input to the users routes gets a 4xx with a stable code, never a 500 and never a
// change: malformed ids (urn:uuid forms included), cursors, limits and roles of the wrong type.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../../../test/support/app.ts'
import {
  addUser,
  call,
  createMembersTestApp,
  type MembersTestApp,
  ownerOf,
  type TestUser,
} from './members.test-support.ts'

let t: MembersTestApp
let org: SignedUp
let owner: TestUser
let member: TestUser

beforeAll(async () => {
  t = await createMembersTestApp()
  org = await signUp(t.app)
  owner = await ownerOf(t, org)
  member = await addUser(t, org, 'member')
})
afterAll(() => t.close())

const LONG = 'x'.repeat(10_000)

async function memberRow() {
  return t.database.handle.db
    .selectFrom('users')
    .select(['role', 'status'])
    .where('id', '=', member.id)
    .executeTakeFirstOrThrow()
}

describe('users routes under attack', () => {
  it.each([
    ['not a uuid', 'not-a-uuid'],
    ['a urn:uuid', 'urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8'],
    ['a braced uuid', '{6ba7b810-9dad-11d1-80b4-00c04fd430c8}'],
    ['an injection', "1'%20OR%20'1'%3D'1"],
    ['a 10 kB id', LONG],
  ])('SEC-3: a user id that is %s gets 400 REQUEST_INVALID on every route', async (_name, id) => {
    for (const [method, path, payload] of [
      ['GET', `/api/v1/users/${id}`, undefined],
      ['PUT', `/api/v1/users/${id}/role`, { role: 'admin' }],
      ['POST', `/api/v1/users/${id}/deactivate`, undefined],
      ['POST', `/api/v1/users/${id}/reactivate`, undefined],
      ['DELETE', `/api/v1/users/${id}`, undefined],
    ] as const) {
      const res = await call(t, owner.session, method, path, payload)
      expect(res.statusCode, `${method} ${path}: ${res.body}`).toBe(400)
      expect(res.json().error.code).toBe('REQUEST_INVALID')
    }
    expect(await memberRow()).toEqual({ role: 'member', status: 'active' })
  })

  it.each<[string, unknown]>([
    ['an unknown role', { role: 'superadmin' }],
    ['a role in capitals', { role: 'ADMIN' }],
    ['a role with a NUL', { role: 'admin\u0000' }],
    ['a role as a list', { role: ['admin'] }],
    ['a role as a number', { role: 2 }],
    ['a 10 kB role', { role: LONG }],
    ['a status alongside', { role: 'admin', status: 'active' }],
    ['no role', {}],
  ])('SEC-3: a role change with %s gets 400 REQUEST_INVALID', async (_name, payload) => {
    const res = await call(t, owner.session, 'PUT', `/api/v1/users/${member.id}/role`, payload)
    expect(res.statusCode, res.body).toBe(400)
    expect(res.json().error.code).toBe('REQUEST_INVALID')
    expect(await memberRow()).toEqual({ role: 'member', status: 'active' })
  })

  it.each([
    ['limit=0', 'REQUEST_INVALID'],
    ['limit=201', 'REQUEST_INVALID'],
    ['limit=-1', 'REQUEST_INVALID'],
    ['limit=1e3', 'REQUEST_INVALID'],
    [`cursor=${LONG}`, 'REQUEST_INVALID'],
    ['cursor=%00%00', 'IDENTITY_CURSOR_INVALID'],
    [`cursor=${Buffer.from("u:' OR 1=1 --").toString('base64url')}`, 'IDENTITY_CURSOR_INVALID'],
    [
      `cursor=${Buffer.from('u:00000000-0000-4000-8000-000000000000').toString('base64url')}`,
      'IDENTITY_CURSOR_INVALID',
    ],
    ['tenant=x', 'REQUEST_INVALID'],
  ])('SEC-3: listing with %s gets 400 %s', async (query, code) => {
    for (const url of ['/api/v1/users', '/api/v1/invitations']) {
      const res = await call(t, owner.session, 'GET', `${url}?${query}`)
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400)
      expect(res.json().error.code).toBe(code)
    }
  })

  it('SEC-3: an upper-case user id is refused with 400, the own id included: no near miss of the self rule', async () => {
    const target = await addUser(t, org, 'viewer')
    for (const [method, url] of [
      ['GET', `/api/v1/users/${target.id.toUpperCase()}`],
      ['POST', `/api/v1/users/${target.id.toUpperCase()}/deactivate`],
      ['POST', `/api/v1/users/${owner.id.toUpperCase()}/deactivate`],
    ] as const) {
      const res = await call(t, owner.session, method, url)
      expect(res.statusCode, url).toBe(400)
      expect(res.json().error.code).toBe('REQUEST_INVALID')
    }
    expect((await call(t, owner.session, 'GET', `/api/v1/users/${target.id}`)).json().status).toBe(
      'active',
    )
  })
})
