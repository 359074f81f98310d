// AUTHZ-2, SEC-3: hostile input to groups, members and grants (oversize and unicode strings,
// control and direction characters, injection strings, wrong types, unknown fields) gets a 4xx
// with a stable code, never a 500, and stores nothing; text that is allowed is kept verbatim.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/support/app.ts'
import {
  call,
  createGroup,
  newOrg,
  newResource,
  type Org,
  TEST_TYPE,
} from './groups.test-support.ts'

let t: TestApp
let o: Org
let groupId: string
let resource: string

beforeAll(async () => {
  t = await createTestApp()
  o = await newOrg(t)
  groupId = await createGroup(t, o.owner, 'Target')
  resource = await newResource(t, o.owner)
})
afterAll(() => t.close())

async function groupCount(): Promise<number> {
  return (await call(t, o.owner, 'GET', '/api/v1/groups')).json().groups.length
}

const TEN_KB = 'x'.repeat(10 * 1024)

describe('AUTHZ-2 hostile input', () => {
  it.each([
    ['an empty name', '', 400, 'REQUEST_INVALID'],
    ['a name of spaces', '   ', 422, 'ACCESS_GROUP_NAME_INVALID'],
    ['101 characters', 'n'.repeat(101), 422, 'ACCESS_GROUP_NAME_INVALID'],
    ['101 emoji', '🛡'.repeat(101), 422, 'ACCESS_GROUP_NAME_INVALID'],
    ['10 kB', TEN_KB, 400, 'REQUEST_INVALID'],
    ['a NUL byte', 'a\u0000b', 400, 'REQUEST_INVALID'],
    ['a line break', 'a\nb', 400, 'REQUEST_INVALID'],
    ['an escape sequence', '\u001b[31mred', 400, 'REQUEST_INVALID'],
    ['a C1 control', 'a\u0085b', 400, 'REQUEST_INVALID'],
    ['a right-to-left override', 'admins\u202egnp.exe', 400, 'REQUEST_INVALID'],
    ['a direction isolate', '\u2066x\u2069', 400, 'REQUEST_INVALID'],
    ['a line separator', 'a\u2028b', 400, 'REQUEST_INVALID'],
    ['a lone surrogate', 'a\ud800b', 400, 'REQUEST_INVALID'],
  ])('refuses %s as a name', async (_label, name, status, code) => {
    const before = await groupCount()
    const res = await call(t, o.owner, 'POST', '/api/v1/groups', { name })
    expect(res.statusCode, res.body).toBe(status)
    expect(res.json().error.code).toBe(code)
    const rename = await call(t, o.owner, 'PATCH', `/api/v1/groups/${groupId}`, { name })
    expect(rename.statusCode, rename.body).toBe(status)
    expect(await groupCount()).toBe(before)
  })

  it.each([
    '财务团队',
    'فريق المالية',
    '🛡️ Sécurité',
    '🛡'.repeat(100),
    "Robert'); DROP TABLE groups; --",
    '<script>alert(1)</script>',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the attack
    '${jndi:ldap://x}',
    '%00%0d%0a',
    '../../etc/passwd',
  ])('keeps %j verbatim', async (name) => {
    const res = await call(t, o.owner, 'POST', '/api/v1/groups', { name })
    expect(res.statusCode, res.body).toBe(201)
    const stored = await call(t, o.owner, 'GET', `/api/v1/groups/${res.json().id}`)
    expect(stored.json().name).toBe(name)
  })

  it.each([
    ['501 characters', 'd'.repeat(501), 422, 'ACCESS_GROUP_DESCRIPTION_INVALID'],
    ['10 kB', TEN_KB, 400, 'REQUEST_INVALID'],
    ['a NUL byte', 'a\u0000b', 422, 'ACCESS_GROUP_DESCRIPTION_INVALID'],
    ['an escape sequence', '\u001b[2J', 422, 'ACCESS_GROUP_DESCRIPTION_INVALID'],
    ['a right-to-left override', '\u202e', 422, 'ACCESS_GROUP_DESCRIPTION_INVALID'],
    ['a number', 5, 400, 'REQUEST_INVALID'],
  ])('refuses %s as a description', async (_label, description, status, code) => {
    const res = await call(t, o.owner, 'POST', '/api/v1/groups', { name: 'Described', description })
    expect(res.statusCode, res.body).toBe(status)
    expect(res.json().error.code).toBe(code)
  })

  it('keeps line breaks and tabs in a description', async () => {
    const description = 'Line one\r\nLine two\n\tindented'
    const res = await call(t, o.owner, 'POST', '/api/v1/groups', {
      name: 'Multi-line',
      description,
    })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().description).toBe(description)
  })

  it.each([
    ['no body', undefined],
    ['a name of the wrong type', { name: 42 }],
    ['a name array', { name: ['a'] }],
    ['a null name', { name: null }],
    ['a name object', { name: { $ne: '' } }],
    ['an unknown field', { name: 'x', tenantId: '00000000-0000-4000-8000-000000000000' }],
    ['a prototype key', JSON.parse('{"name":"x","__proto__":{"admin":true}}')],
    ['an array body', [{ name: 'x' }]],
  ])('refuses %s on create with 400', async (_label, payload) => {
    const before = await groupCount()
    const res = await call(t, o.owner, 'POST', '/api/v1/groups', payload)
    expect(res.statusCode, res.body).toBe(400)
    expect(['REQUEST_INVALID', 'REQUEST_MALFORMED_JSON']).toContain(res.json().error.code)
    expect(await groupCount()).toBe(before)
  })

  it('refuses an empty change and a body over the limit', async () => {
    const empty = await call(t, o.owner, 'PATCH', `/api/v1/groups/${groupId}`, {})
    expect(empty.statusCode).toBe(400)
    const huge = await call(t, o.owner, 'POST', '/api/v1/groups', { name: 'x'.repeat(100_000) })
    expect(huge.statusCode).toBe(413)
    expect(huge.json().error.code).toBe('REQUEST_BODY_TOO_LARGE')
  })

  it.each([
    'not-a-uuid',
    "1' OR '1'='1",
    '00000000-0000-4000-8000-00000000000g',
    '%00',
    '..%2F..%2Fgroups',
  ])('refuses the id %j in every path with 400', async (bad) => {
    const id = encodeURIComponent(bad)
    for (const [method, url] of [
      ['GET', `/api/v1/groups/${id}`],
      ['PATCH', `/api/v1/groups/${id}`],
      ['DELETE', `/api/v1/groups/${id}`],
      ['GET', `/api/v1/groups/${id}/members`],
      ['PUT', `/api/v1/groups/${groupId}/members/${id}`],
      ['DELETE', `/api/v1/groups/${groupId}/members/${id}`],
      ['GET', `/api/v1/groups/${id}/grants`],
      ['DELETE', `/api/v1/groups/${groupId}/grants/${id}`],
    ] as const) {
      const res = await call(
        t,
        o.owner,
        method,
        url,
        method === 'PATCH' ? { name: 'y' } : undefined,
      )
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(400)
      expect(res.json().error.code).toBe('REQUEST_INVALID')
    }
  })

  it('refuses an overlong id with a 4xx, never a 500', async () => {
    const res = await call(t, o.owner, 'GET', `/api/v1/groups/${'x'.repeat(2000)}`)
    expect(res.statusCode).toBeGreaterThanOrEqual(400)
    expect(res.statusCode).toBeLessThan(500)
  })

  it.each([
    ['a 10 kB type', { resourceType: TEN_KB, permission: 'view' }, 400, 'REQUEST_INVALID'],
    [
      'an injection type',
      { resourceType: "x'; --", permission: 'view' },
      422,
      'ACCESS_RESOURCE_TYPE_UNKNOWN',
    ],
    [
      'a unicode type',
      { resourceType: 'ｔｅｓｔ_credential', permission: 'view' },
      422,
      'ACCESS_RESOURCE_TYPE_UNKNOWN',
    ],
    [
      'a prototype type',
      { resourceType: 'constructor', permission: 'view' },
      422,
      'ACCESS_RESOURCE_TYPE_UNKNOWN',
    ],
    ['a 10 kB permission', { resourceType: TEST_TYPE, permission: TEN_KB }, 400, 'REQUEST_INVALID'],
    ['a numeric permission', { resourceType: TEST_TYPE, permission: 1 }, 400, 'REQUEST_INVALID'],
    [
      'a list of permissions',
      { resourceType: TEST_TYPE, permission: ['view', 'edit'] },
      400,
      'REQUEST_INVALID',
    ],
    [
      'a non-uuid resource',
      { resourceType: TEST_TYPE, permission: 'view', resourceId: '1 OR 1=1' },
      400,
      'REQUEST_INVALID',
    ],
    [
      'an extra field',
      { resourceType: TEST_TYPE, permission: 'view', groupId: 'x' },
      400,
      'REQUEST_INVALID',
    ],
  ])('refuses a grant with %s', async (_label, body, status, code) => {
    const res = await call(t, o.owner, 'POST', `/api/v1/groups/${groupId}/grants`, {
      resourceId: resource,
      ...body,
    })
    expect(res.statusCode, res.body).toBe(status)
    expect(res.json().error.code).toBe(code)
    const grants = await call(t, o.owner, 'GET', `/api/v1/groups/${groupId}/grants`)
    expect(grants.json().grants).toEqual([])
  })
})
