// AUTHZ-2: grants through the API: only a registered type, one of its permissions and an existing
// resource of the organisation can be granted; a repeated grant is idempotent; removal is 204.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/support/app.ts'
import { MAX_GRANTS_PER_GROUP } from './grants.service.ts'
import {
  auditEvents,
  call,
  createGroup,
  grant,
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
  groupId = await createGroup(t, o.owner, 'Readers')
  resource = await newResource(t, o.owner)
})
afterAll(() => t.close())

const grantsUrl = () => `/api/v1/groups/${groupId}/grants`

describe('AUTHZ-2 grants', () => {
  it('AUTHZ-2: grants a permission on a resource and lists it', async () => {
    const res = await call(t, o.owner, 'POST', grantsUrl(), {
      resourceType: TEST_TYPE,
      resourceId: resource,
      permission: 'view',
    })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({
      groupId,
      resourceType: TEST_TYPE,
      resourceId: resource,
      permission: 'view',
      createdBy: o.org.owner.id,
    })
    const list = await call(t, o.owner, 'GET', grantsUrl())
    expect(list.json().grants).toEqual([res.json()])
    const group = await call(t, o.owner, 'GET', `/api/v1/groups/${groupId}`)
    expect(group.json().grantCount).toBe(1)
  })

  it('AUTHZ-2: granting what the group holds is idempotent: 200, the same grant, one event', async () => {
    const payload = { resourceType: TEST_TYPE, resourceId: resource, permission: 'use' }
    const first = await call(t, o.owner, 'POST', grantsUrl(), payload)
    const second = await call(t, o.owner, 'POST', grantsUrl(), payload)
    expect([first.statusCode, second.statusCode]).toEqual([201, 200])
    expect(second.json()).toEqual(first.json())
    const adds = (await auditEvents(t, o.owner, 'group.grant_add')).filter(
      (e) => (e.target as { id: string }).id === resource,
    )
    expect(adds).toHaveLength(2)
  })

  it('AUTHZ-2: an unregistered type or a permission the type lacks is 422', async () => {
    const type = await call(t, o.owner, 'POST', grantsUrl(), {
      resourceType: 'no_such_type',
      resourceId: resource,
      permission: 'view',
    })
    expect(type.statusCode).toBe(422)
    expect(type.json().error).toMatchObject({
      code: 'ACCESS_RESOURCE_TYPE_UNKNOWN',
      details: { registered: expect.arrayContaining([TEST_TYPE]) },
    })
    expect(type.json().error.details.registered).not.toContain('no_such_type')
    for (const permission of ['delete', 'VIEW', 'constructor', '__proto__']) {
      const res = await call(t, o.owner, 'POST', grantsUrl(), {
        resourceType: TEST_TYPE,
        resourceId: resource,
        permission,
      })
      expect(res.statusCode, permission).toBe(422)
      expect(res.json().error).toMatchObject({
        code: 'ACCESS_GRANT_PERMISSION_UNKNOWN',
        details: { permissions: ['view', 'edit', 'use'] },
      })
    }
  })

  it('AUTHZ-2: a resource that does not exist is 404 and nothing is granted', async () => {
    const before = (await call(t, o.owner, 'GET', grantsUrl())).json().grants
    const res = await call(t, o.owner, 'POST', grantsUrl(), {
      resourceType: TEST_TYPE,
      resourceId: '00000000-0000-4000-8000-000000000000',
      permission: 'view',
    })
    expect(res.statusCode).toBe(404)
    expect(res.json().error.code).toBe('ACCESS_RESOURCE_NOT_FOUND')
    expect((await call(t, o.owner, 'GET', grantsUrl())).json().grants).toEqual(before)
  })

  it('AUTHZ-2: removes a grant (204), then 404; a grant of another group is 404', async () => {
    const other = await createGroup(t, o.owner, 'Other readers')
    const id = await grant(t, o.owner, groupId, resource, 'edit')
    const wrongGroup = await call(t, o.owner, 'DELETE', `/api/v1/groups/${other}/grants/${id}`)
    expect(wrongGroup.statusCode).toBe(404)
    expect(wrongGroup.json().error.code).toBe('ACCESS_GRANT_NOT_FOUND')
    const removed = await call(t, o.owner, 'DELETE', `${grantsUrl()}/${id}`)
    expect(removed.statusCode).toBe(204)
    const again = await call(t, o.owner, 'DELETE', `${grantsUrl()}/${id}`)
    expect(again.statusCode).toBe(404)
    expect(again.json().error.code).toBe('ACCESS_GRANT_NOT_FOUND')
    const removals = (await auditEvents(t, o.owner, 'group.grant_remove')).filter(
      (e) => (e.target as { id: string }).id === resource,
    )
    expect(removals).toHaveLength(1)
  })

  it('AUTHZ-2: a group holds at most MAX_GRANTS_PER_GROUP grants (409 past it)', async () => {
    const full = await createGroup(t, o.owner, 'Full')
    // Filled directly: the cap is what is under test, not a thousand requests.
    await t.database.handle.db
      .insertInto('group_grants')
      .values(
        Array.from({ length: MAX_GRANTS_PER_GROUP }, () => ({
          id: crypto.randomUUID(),
          tenant_id: o.org.tenant.id,
          group_id: full,
          resource_type: TEST_TYPE,
          resource_id: crypto.randomUUID(),
          permission: 'view',
          created_by: null,
        })),
      )
      .execute()
    const res = await call(t, o.owner, 'POST', `/api/v1/groups/${full}/grants`, {
      resourceType: TEST_TYPE,
      resourceId: resource,
      permission: 'view',
    })
    expect(res.statusCode).toBe(409)
    expect(res.json().error).toMatchObject({
      code: 'ACCESS_GRANT_LIMIT_REACHED',
      details: { limit: MAX_GRANTS_PER_GROUP },
    })
    const list = await call(t, o.owner, 'GET', `/api/v1/groups/${full}/grants`)
    expect(list.json().grants).toHaveLength(MAX_GRANTS_PER_GROUP)
  })
})
