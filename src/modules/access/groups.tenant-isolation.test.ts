// AUTHZ-5, AUTHZ-2: groups, members and grants never cross organisations. Another organisation's
// group, user, grant or resource id gets the same 404 as an id that never existed and changes
// nothing; grants give no access across tenants even with every id known; and the database itself
// refuses memberships and grants that would join two tenants.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/support/app.ts'
import { type Trx, withTenant } from '../../db/tenant.ts'
import { grantedResourceIds } from './grants.service.ts'
import {
  addMember,
  addUser,
  auditEvents,
  call,
  createGroup,
  grant,
  mayAccess,
  newOrg,
  newResource,
  type Org,
  TEST_TYPE,
  type User,
} from './groups.test-support.ts'

let t: TestApp
let a: Org
let b: Org
let userOfB: User
const ofB = { group: '', grant: '', resource: '' }
let groupOfA: string

beforeAll(async () => {
  t = await createTestApp()
  a = await newOrg(t)
  b = await newOrg(t)
  userOfB = await addUser(t, b.org, 'member')
  ofB.group = await createGroup(t, b.owner, 'B team')
  ofB.resource = await newResource(t, b.owner)
  await addMember(t, b.owner, ofB.group, userOfB.id)
  ofB.grant = await grant(t, b.owner, ofB.group, ofB.resource, 'edit')
  groupOfA = await createGroup(t, a.owner, 'A team')
})
afterAll(() => t.close())

async function rowsOfB(): Promise<string> {
  const db = t.database.handle.db
  const tenant = b.org.tenant.id
  return JSON.stringify([
    await db
      .selectFrom('groups')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .orderBy('id')
      .execute(),
    await db
      .selectFrom('group_members')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .orderBy('user_id')
      .execute(),
    await db
      .selectFrom('group_grants')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .orderBy('id')
      .execute(),
  ])
}

describe('AUTHZ-5 groups across organisations', () => {
  it("AUTHZ-5: A aiming at B's group, member and grant ids gets 404 and B is unchanged", async () => {
    const before = await rowsOfB()
    const logBefore = await auditEvents(t, b.owner)
    const g = ofB.group
    const attempts = [
      ['GET', `/api/v1/groups/${g}`, undefined, 'ACCESS_GROUP_NOT_FOUND'],
      ['PATCH', `/api/v1/groups/${g}`, { name: 'Taken over' }, 'ACCESS_GROUP_NOT_FOUND'],
      ['DELETE', `/api/v1/groups/${g}`, undefined, 'ACCESS_GROUP_NOT_FOUND'],
      ['GET', `/api/v1/groups/${g}/members`, undefined, 'ACCESS_GROUP_NOT_FOUND'],
      ['PUT', `/api/v1/groups/${g}/members/${a.org.owner.id}`, undefined, 'ACCESS_GROUP_NOT_FOUND'],
      ['DELETE', `/api/v1/groups/${g}/members/${userOfB.id}`, undefined, 'ACCESS_GROUP_NOT_FOUND'],
      ['GET', `/api/v1/groups/${g}/grants`, undefined, 'ACCESS_GROUP_NOT_FOUND'],
      [
        'POST',
        `/api/v1/groups/${g}/grants`,
        { resourceType: TEST_TYPE, resourceId: ofB.resource, permission: 'view' },
        'ACCESS_GROUP_NOT_FOUND',
      ],
      ['DELETE', `/api/v1/groups/${g}/grants/${ofB.grant}`, undefined, 'ACCESS_GROUP_NOT_FOUND'],
      // A's own group with B's user, grant and resource.
      [
        'PUT',
        `/api/v1/groups/${groupOfA}/members/${userOfB.id}`,
        undefined,
        'ACCESS_GROUP_USER_NOT_FOUND',
      ],
      [
        'PUT',
        `/api/v1/groups/${groupOfA}/members/${b.org.owner.id}`,
        undefined,
        'ACCESS_GROUP_USER_NOT_FOUND',
      ],
      [
        'DELETE',
        `/api/v1/groups/${groupOfA}/members/${userOfB.id}`,
        undefined,
        'ACCESS_GROUP_MEMBER_NOT_FOUND',
      ],
      [
        'DELETE',
        `/api/v1/groups/${groupOfA}/grants/${ofB.grant}`,
        undefined,
        'ACCESS_GRANT_NOT_FOUND',
      ],
      [
        'POST',
        `/api/v1/groups/${groupOfA}/grants`,
        { resourceType: TEST_TYPE, resourceId: ofB.resource, permission: 'edit' },
        'ACCESS_RESOURCE_NOT_FOUND',
      ],
    ] as const
    for (const [method, url, body, code] of attempts) {
      const res = await t.app.inject({
        method,
        url,
        headers: { ...a.owner.authorization, 'x-tenant-id': b.org.tenant.id },
        ...(body ? { payload: body } : {}),
      })
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(404)
      expect(res.json().error.code).toBe(code)
      for (const secret of [
        ofB.group,
        ofB.grant,
        ofB.resource,
        userOfB.id,
        userOfB.email,
        'B team',
      ]) {
        expect(res.body).not.toContain(secret)
      }
    }
    const list = await call(t, a.owner, 'GET', '/api/v1/groups')
    expect(list.json().groups.map((x: { id: string }) => x.id)).toEqual([groupOfA])
    expect(
      (await call(t, a.owner, 'GET', `/api/v1/groups/${groupOfA}/members`)).json().members,
    ).toEqual([])
    expect(
      (await call(t, a.owner, 'GET', `/api/v1/groups/${groupOfA}/grants`)).json().grants,
    ).toEqual([])
    expect(await rowsOfB()).toBe(before)
    expect(await auditEvents(t, b.owner)).toEqual(logBefore)
  })

  it("AUTHZ-5: B's grant gives nothing when asked in A's context, even with every id known", async () => {
    expect(await mayAccess(t, b.org.tenant.id, userOfB.id, ofB.resource, 'edit')).toBe(true)
    expect(await mayAccess(t, a.org.tenant.id, userOfB.id, ofB.resource, 'edit')).toBe(false)
    expect(await mayAccess(t, a.org.tenant.id, userOfB.id, ofB.resource, 'view')).toBe(false)
    const ids = await withTenant(t.database.handle, a.org.tenant.id, (trx) =>
      grantedResourceIds(trx, a.org.tenant.id, userOfB.id, TEST_TYPE, 'view'),
    )
    expect(ids).toEqual([])
    // Asked in A's transaction with B's tenant id, row-level security still shows nothing of B.
    const crossed = await withTenant(t.database.handle, a.org.tenant.id, (trx) =>
      grantedResourceIds(trx, b.org.tenant.id, userOfB.id, TEST_TYPE, 'view'),
    )
    expect(crossed).toEqual([])
  })

  it("AUTHZ-5: A's users never gain access to B's resources through A's groups", async () => {
    const userOfA = await addUser(t, a.org, 'member')
    await addMember(t, a.owner, groupOfA, userOfA.id)
    // Even a grant row naming B's resource (planted past the API) opens nothing in B.
    await withTenant(t.database.handle, a.org.tenant.id, (trx) =>
      trx
        .insertInto('group_grants')
        .values({
          id: randomUUID(),
          tenant_id: a.org.tenant.id,
          group_id: groupOfA,
          resource_type: TEST_TYPE,
          resource_id: ofB.resource,
          permission: 'edit',
          created_by: null,
        })
        .execute(),
    )
    expect(await mayAccess(t, b.org.tenant.id, userOfA.id, ofB.resource, 'edit')).toBe(false)
    expect(await mayAccess(t, b.org.tenant.id, userOfB.id, ofB.resource, 'edit')).toBe(true)
  })

  it('AUTHZ-5: row-level security refuses rows planted in another tenant', async () => {
    const plants: ((trx: Trx) => Promise<unknown>)[] = [
      (trx: Trx) =>
        trx
          .insertInto('group_members')
          .values({
            tenant_id: b.org.tenant.id,
            group_id: ofB.group,
            user_id: b.org.owner.id,
            added_by: null,
          })
          .execute(),
      (trx: Trx) =>
        trx
          .insertInto('group_grants')
          .values({
            id: randomUUID(),
            tenant_id: b.org.tenant.id,
            group_id: ofB.group,
            resource_type: TEST_TYPE,
            resource_id: ofB.resource,
            permission: 'use',
            created_by: null,
          })
          .execute(),
      (trx: Trx) =>
        trx
          .updateTable('groups')
          .set({ tenant_id: b.org.tenant.id })
          .where('id', '=', groupOfA)
          .execute(),
    ]
    for (const plant of plants) {
      await expect(withTenant(t.database.handle, a.org.tenant.id, plant)).rejects.toMatchObject({
        code: '42501',
      })
    }
    const seen = await withTenant(t.database.handle, a.org.tenant.id, (trx) =>
      trx.selectFrom('groups').select('id').execute(),
    )
    expect(seen.map((r) => r.id)).not.toContain(ofB.group)
  })

  it("AUTHZ-5: the schema refuses a membership of B's user in A's group, even past row-level security", async () => {
    // On the owner connection (no row-level security), the composite foreign key still holds.
    const planted = t.database.handle.db
      .insertInto('group_members')
      .values({
        tenant_id: a.org.tenant.id,
        group_id: groupOfA,
        user_id: userOfB.id,
        added_by: null,
      })
      .execute()
    await expect(planted).rejects.toMatchObject({ code: '23503' })
    const grantIntoB = t.database.handle.db
      .insertInto('group_grants')
      .values({
        id: randomUUID(),
        tenant_id: b.org.tenant.id,
        group_id: groupOfA,
        resource_type: TEST_TYPE,
        resource_id: ofB.resource,
        permission: 'view',
        created_by: null,
      })
      .execute()
    await expect(grantIntoB).rejects.toMatchObject({ code: '23503' })
  })
})
