// AUTHZ-2: GET /api/v1/grants lists every group's grants on one resource in one request, with the
// group's name, for groups.read holders only. AUTHZ-5: another organisation's resource, like one
// that never existed, has none; malformed ids are 400, an unregistered type 422.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/support/app.ts'
import {
  addUser,
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
let other: Org
let resource: string
let untouched: string
let othersResource: string
const ids: Record<string, string> = {}

beforeAll(async () => {
  t = await createTestApp()
  o = await newOrg(t)
  other = await newOrg(t)
  resource = await newResource(t, o.owner)
  untouched = await newResource(t, o.owner)
  ids.writers = await createGroup(t, o.owner, 'Writers')
  ids.auditors = await createGroup(t, o.owner, 'auditors')
  ids.view = await grant(t, o.owner, ids.writers, resource, 'view')
  ids.edit = await grant(t, o.owner, ids.writers, resource, 'edit')
  ids.auditorsView = await grant(t, o.owner, ids.auditors, resource, 'view')
  // A grant on another resource never shows up for this one.
  await grant(t, o.owner, ids.auditors, untouched, 'use')
  othersResource = await newResource(t, other.owner)
  await grant(t, other.owner, await createGroup(t, other.owner, 'Theirs'), othersResource, 'view')
})
afterAll(() => t.close())

const url = (resourceId: string, resourceType = TEST_TYPE) =>
  `/api/v1/grants?resourceType=${encodeURIComponent(resourceType)}&resourceId=${encodeURIComponent(resourceId)}`

describe('AUTHZ-2 grants listed by resource', () => {
  it("AUTHZ-2: lists every group's grants on the resource, by group name, with the group's name", async () => {
    const res = await call(t, o.owner, 'GET', url(resource))
    expect(res.statusCode, res.body).toBe(200)
    const grants = res.json().grants as Record<string, unknown>[]
    expect(grants.map((g) => [g.groupName, g.permission, g.id])).toEqual([
      ['auditors', 'view', ids.auditorsView],
      ['Writers', 'edit', ids.edit],
      ['Writers', 'view', ids.view],
    ])
    expect(grants[0]).toMatchObject({
      groupId: ids.auditors,
      resourceType: TEST_TYPE,
      resourceId: resource,
      createdBy: o.org.owner.id,
    })
    // The same rows the per-group list gives.
    const perGroup = await call(t, o.owner, 'GET', `/api/v1/groups/${ids.writers}/grants`)
    const { groupName: _name, ...edit } = grants[1] as Record<string, unknown>
    expect(perGroup.json().grants).toContainEqual(edit)
  })

  it('AUTHZ-2: a group deleted takes its grants out of the list at once', async () => {
    const gone = await createGroup(t, o.owner, 'Short-lived')
    await grant(t, o.owner, gone, untouched, 'view')
    expect((await call(t, o.owner, 'GET', url(untouched))).json().grants).toHaveLength(2)
    await call(t, o.owner, 'DELETE', `/api/v1/groups/${gone}`)
    const after = (await call(t, o.owner, 'GET', url(untouched))).json().grants
    expect(after.map((g: { groupName: string }) => g.groupName)).toEqual(['auditors'])
  })

  it("AUTHZ-5: another organisation's resource, or one that never existed, has no grants", async () => {
    for (const id of [othersResource, '00000000-0000-4000-8000-000000000000']) {
      const res = await call(t, o.owner, 'GET', url(id))
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json()).toEqual({ grants: [] })
    }
    // The other organisation still sees its own.
    expect((await call(t, other.owner, 'GET', url(othersResource))).json().grants).toHaveLength(1)
  })

  it('AUTHZ-2: malformed or missing ids are 400, an unregistered type 422', async () => {
    for (const path of [
      url('not-a-uuid'),
      url(`${resource}'--`),
      `/api/v1/grants?resourceType=${TEST_TYPE}`,
      `/api/v1/grants?resourceId=${resource}`,
      url(resource, 'x'.repeat(65)),
      `${url(resource)}&tenantId=${other.org.tenant.id}`,
    ]) {
      const res = await call(t, o.owner, 'GET', path)
      expect(res.statusCode, path).toBe(400)
    }
    const type = await call(t, o.owner, 'GET', url(resource, 'no_such_type'))
    expect(type.statusCode).toBe(422)
    expect(type.json().error.code).toBe('ACCESS_RESOURCE_TYPE_UNKNOWN')
  })

  it('AUTHZ-1, AUTHZ-2: members and viewers are refused (403, before validation); auditors read', async () => {
    for (const role of ['member', 'viewer'] as const) {
      const user = await addUser(t, o.org, role)
      for (const path of [url(resource), url('not-a-uuid')]) {
        const res = await call(t, user.session, 'GET', path)
        expect(res.statusCode, `${role} ${path}`).toBe(403)
      }
    }
    const auditor = await addUser(t, o.org, 'auditor')
    const res = await call(t, auditor.session, 'GET', url(resource))
    expect(res.statusCode).toBe(200)
    expect(res.json().grants).toHaveLength(3)
    const anonymous = await t.app.inject({ method: 'GET', url: url(resource) })
    expect(anonymous.statusCode).toBe(401)
  })
})
