// AUTHZ-1, AUTHZ-2: members and viewers can neither read nor change groups (403, before their
// input is even validated); auditors read groups, members and grants but change nothing; admins
// manage them. Nobody needs a permission to list their own groups.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/support/app.ts'
import { openKeyServices } from '../../crypto/key-services.ts'
import { authenticate } from '../identity/sessions.service.ts'
import { listGroupMembers } from './groups.service.ts'
import {
  addMember,
  addUser,
  call,
  createGroup,
  grant,
  newOrg,
  newResource,
  type Org,
  TEST_TYPE,
  type User,
} from './groups.test-support.ts'
import type { Permission } from './permissions.ts'

let t: TestApp
let o: Org
let groupId: string
let grantId: string
let resource: string
const users: Record<'member' | 'viewer' | 'auditor' | 'admin', User> = {} as never

beforeAll(async () => {
  t = await createTestApp()
  o = await newOrg(t)
  for (const role of ['member', 'viewer', 'auditor', 'admin'] as const) {
    users[role] = await addUser(t, o.org, role)
  }
  groupId = await createGroup(t, o.owner, 'Guarded')
  await addMember(t, o.owner, groupId, users.member.id)
  resource = await newResource(t, o.owner)
  grantId = await grant(t, o.owner, groupId, resource, 'view')
})
afterAll(() => t.close())

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

const reads = (): [Method, string][] => [
  ['GET', '/api/v1/groups'],
  ['GET', `/api/v1/groups/${groupId}`],
  ['GET', `/api/v1/groups/${groupId}/members`],
  ['GET', `/api/v1/groups/${groupId}/grants`],
]

// Bodies of the wrong shape on purpose: the permission is refused before validation.
const changes = (): [Method, string, unknown][] => [
  ['POST', '/api/v1/groups', { name: 42 }],
  ['PATCH', `/api/v1/groups/${groupId}`, { bogus: true }],
  ['DELETE', `/api/v1/groups/${groupId}`, undefined],
  ['PUT', `/api/v1/groups/${groupId}/members/${o.org.owner.id}`, undefined],
  ['DELETE', `/api/v1/groups/${groupId}/members/${users.member.id}`, undefined],
  ['POST', `/api/v1/groups/${groupId}/grants`, { resourceType: TEST_TYPE }],
  ['DELETE', `/api/v1/groups/${groupId}/grants/${grantId}`, undefined],
]

async function snapshot() {
  const db = t.database.handle.db
  return JSON.stringify([
    await db.selectFrom('groups').selectAll().where('tenant_id', '=', o.org.tenant.id).execute(),
    await db.selectFrom('group_members').selectAll().where('group_id', '=', groupId).execute(),
    await db.selectFrom('group_grants').selectAll().where('group_id', '=', groupId).execute(),
  ])
}

function expectDenied(res: { statusCode: number; json(): { error: { code: string } } }) {
  expect(res.statusCode).toBe(403)
  expect(res.json().error.code).toBe('AUTH_PERMISSION_DENIED')
}

describe('AUTHZ-1 group permissions', () => {
  it.each(['member', 'viewer'] as const)(
    'AUTHZ-1: a %s can neither read nor change groups (403 AUTH_PERMISSION_DENIED)',
    async (role) => {
      const before = await snapshot()
      for (const [method, url] of reads())
        expectDenied(await call(t, users[role].session, method, url))
      for (const [method, url, body] of changes()) {
        expectDenied(await call(t, users[role].session, method, url, body))
      }
      expect(await snapshot()).toBe(before)
    },
  )

  it('AUTHZ-1: an auditor reads groups, members and grants but changes nothing', async () => {
    const before = await snapshot()
    for (const [method, url] of reads()) {
      const res = await call(t, users.auditor.session, method, url)
      expect(res.statusCode, url).toBe(200)
    }
    for (const [method, url, body] of changes()) {
      expectDenied(await call(t, users.auditor.session, method, url, body))
    }
    expect(await snapshot()).toBe(before)
  })

  it('AUTHZ-1: an admin manages groups, members and grants', async () => {
    const admin = users.admin.session
    const created = await call(t, admin, 'POST', '/api/v1/groups', { name: 'By admin' })
    expect(created.statusCode).toBe(201)
    const id = created.json().id
    expect(
      (await call(t, admin, 'PUT', `/api/v1/groups/${id}/members/${users.viewer.id}`)).statusCode,
    ).toBe(201)
    const granted = await call(t, admin, 'POST', `/api/v1/groups/${id}/grants`, {
      resourceType: TEST_TYPE,
      resourceId: resource,
      permission: 'edit',
    })
    expect(granted.statusCode).toBe(201)
    expect(
      (await call(t, admin, 'PATCH', `/api/v1/groups/${id}`, { name: 'Renamed' })).statusCode,
    ).toBe(200)
    expect((await call(t, admin, 'DELETE', `/api/v1/groups/${id}`)).statusCode).toBe(204)
  })

  it('AUTHZ-1: member e-mail addresses are shown only to callers who may read users', async () => {
    const res = await call(t, users.auditor.session, 'GET', `/api/v1/groups/${groupId}/members`)
    expect(res.json().members).toEqual([
      expect.objectContaining({ userId: users.member.id, email: users.member.email }),
    ])
    // A caller holding groups.read alone (an API key scoped to it, IAM-9) sees ids only.
    const keys = await openKeyServices(t.config.keys)
    try {
      const ctx = { config: t.config, db: t.database.handle, keys: keys.keyring }
      const principal = await authenticate(ctx, users.auditor.session.token)
      if (!principal) throw new Error('auditor not signed in')
      const narrowed = { ...principal, permissions: new Set<Permission>(['groups.read']) }
      const members = await listGroupMembers(ctx, narrowed, groupId)
      expect(members).toEqual([expect.objectContaining({ userId: users.member.id, email: null })])
    } finally {
      await keys.close()
    }
  })

  it.each(['member', 'viewer', 'auditor', 'admin'] as const)(
    'AUTHZ-2: a %s lists their own groups with no permission',
    async (role) => {
      const res = await call(t, users[role].session, 'GET', '/api/v1/me/groups')
      expect(res.statusCode).toBe(200)
      const ids = res.json().groups.map((g: { id: string }) => g.id)
      expect(ids).toEqual(role === 'member' ? [groupId] : [])
    },
  )

  it('AUTHZ-1: without a session every route is 401', async () => {
    for (const [method, url] of [...reads(), ['GET', '/api/v1/me/groups'] as [Method, string]]) {
      const res = await t.app.inject({ method, url })
      expect(res.statusCode).toBe(401)
      expect(res.json().error.code).toBe('AUTH_REQUIRED')
    }
  })
})
