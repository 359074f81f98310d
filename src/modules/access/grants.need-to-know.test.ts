// AUTHZ-2: no group, no access. A user reaches a resource only through a grant to one of their
// groups; no role (owner included) implies one; removing the member, the grant or the group ends
// access at the very next check; and a missing grant answers 404, like a missing resource.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/support/app.ts'
import { type Trx, withTenant } from '../../db/tenant.ts'
import { AppError } from '../../http/errors.ts'
import {
  assertGranted,
  grantedResourceIds,
  hasGrant,
  removeGrantsOnResource,
} from './grants.service.ts'
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
let o: Org
let user: User

beforeAll(async () => {
  t = await createTestApp()
  o = await newOrg(t)
  user = await addUser(t, o.org, 'member')
})
afterAll(() => t.close())

const tenant = () => o.org.tenant.id

function inTenant<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
  return withTenant(t.database.handle, tenant(), fn)
}

describe('AUTHZ-2 need to know', () => {
  it('AUTHZ-2: without a group there is no access, for any role, the owner included', async () => {
    const resource = await newResource(t, o.owner)
    const admin = await addUser(t, o.org, 'admin')
    for (const id of [o.org.owner.id, admin.id, user.id]) {
      for (const permission of ['view', 'edit', 'use']) {
        expect(await mayAccess(t, tenant(), id, resource, permission)).toBe(false)
      }
      expect(
        await inTenant((trx) => grantedResourceIds(trx, tenant(), id, TEST_TYPE, 'view')),
      ).toEqual([])
    }
  })

  it('AUTHZ-2: a group without a grant gives nothing; a grant to it gives its members access', async () => {
    const resource = await newResource(t, o.owner)
    const group = await createGroup(t, o.owner, 'Viewers')
    await addMember(t, o.owner, group, user.id)
    expect(await mayAccess(t, tenant(), user.id, resource, 'view')).toBe(false)
    await grant(t, o.owner, group, resource, 'view')
    expect(await mayAccess(t, tenant(), user.id, resource, 'view')).toBe(true)
    // The owner who made the grant is no member: still no access.
    expect(await mayAccess(t, tenant(), o.org.owner.id, resource, 'view')).toBe(false)
  })

  it('AUTHZ-2: edit implies view (as the type declares); view gives no edit; use stands alone', async () => {
    const resource = await newResource(t, o.owner)
    const editors = await createGroup(t, o.owner, 'Editors')
    await addMember(t, o.owner, editors, user.id)
    await grant(t, o.owner, editors, resource, 'edit')
    expect(await mayAccess(t, tenant(), user.id, resource, 'edit')).toBe(true)
    expect(await mayAccess(t, tenant(), user.id, resource, 'view')).toBe(true)
    expect(await mayAccess(t, tenant(), user.id, resource, 'use')).toBe(false)

    const other = await newResource(t, o.owner)
    const viewers = await createGroup(t, o.owner, 'Plain viewers')
    await addMember(t, o.owner, viewers, user.id)
    await grant(t, o.owner, viewers, other, 'view')
    expect(await mayAccess(t, tenant(), user.id, other, 'view')).toBe(true)
    expect(await mayAccess(t, tenant(), user.id, other, 'edit')).toBe(false)
  })

  it('AUTHZ-2: removing the member ends access at once', async () => {
    const resource = await newResource(t, o.owner)
    const group = await createGroup(t, o.owner, 'Leavers')
    await addMember(t, o.owner, group, user.id)
    await grant(t, o.owner, group, resource, 'view')
    expect(await mayAccess(t, tenant(), user.id, resource, 'view')).toBe(true)
    await call(t, o.owner, 'DELETE', `/api/v1/groups/${group}/members/${user.id}`)
    expect(await mayAccess(t, tenant(), user.id, resource, 'view')).toBe(false)
  })

  it('AUTHZ-2: removing the grant ends access at once', async () => {
    const resource = await newResource(t, o.owner)
    const group = await createGroup(t, o.owner, 'Revoked')
    await addMember(t, o.owner, group, user.id)
    const grantId = await grant(t, o.owner, group, resource, 'edit')
    expect(await mayAccess(t, tenant(), user.id, resource, 'view')).toBe(true)
    await call(t, o.owner, 'DELETE', `/api/v1/groups/${group}/grants/${grantId}`)
    expect(await mayAccess(t, tenant(), user.id, resource, 'view')).toBe(false)
    expect(await mayAccess(t, tenant(), user.id, resource, 'edit')).toBe(false)
  })

  it('AUTHZ-2: deleting the group ends access at once', async () => {
    const resource = await newResource(t, o.owner)
    const group = await createGroup(t, o.owner, 'Disbanded')
    await addMember(t, o.owner, group, user.id)
    await grant(t, o.owner, group, resource, 'view')
    await call(t, o.owner, 'DELETE', `/api/v1/groups/${group}`)
    expect(await mayAccess(t, tenant(), user.id, resource, 'view')).toBe(false)
  })

  it('AUTHZ-2: access through two groups lasts until the last of them goes', async () => {
    const resource = await newResource(t, o.owner)
    const one = await createGroup(t, o.owner, 'Route one')
    const two = await createGroup(t, o.owner, 'Route two')
    for (const g of [one, two]) {
      await addMember(t, o.owner, g, user.id)
      await grant(t, o.owner, g, resource, 'view')
    }
    await call(t, o.owner, 'DELETE', `/api/v1/groups/${one}`)
    expect(await mayAccess(t, tenant(), user.id, resource, 'view')).toBe(true)
    await call(t, o.owner, 'DELETE', `/api/v1/groups/${two}/members/${user.id}`)
    expect(await mayAccess(t, tenant(), user.id, resource, 'view')).toBe(false)
  })

  it('AUTHZ-2: grantedResourceIds lists exactly the granted ids, each once, in one query', async () => {
    const org = await newOrg(t)
    const member = await addUser(t, org.org, 'member')
    const [a, b, c] = [
      await newResource(t, org.owner),
      await newResource(t, org.owner),
      await newResource(t, org.owner),
    ]
    const g1 = await createGroup(t, org.owner, 'G1')
    const g2 = await createGroup(t, org.owner, 'G2')
    for (const g of [g1, g2]) await addMember(t, org.owner, g, member.id)
    await grant(t, org.owner, g1, a as string, 'view')
    await grant(t, org.owner, g2, a as string, 'view')
    await grant(t, org.owner, g2, b as string, 'edit')
    await grant(t, org.owner, g1, c as string, 'use')
    const ids = (permission: string) =>
      withTenant(t.database.handle, org.org.tenant.id, (trx) =>
        grantedResourceIds(trx, org.org.tenant.id, member.id, TEST_TYPE, permission),
      )
    expect(await ids('view')).toEqual([a, b].sort())
    expect(await ids('edit')).toEqual([b])
    expect(await ids('use')).toEqual([c])
  })

  it('AUTHZ-2: assertGranted throws a 404 (not a 403), or the module’s own not-found error', async () => {
    const resource = await newResource(t, o.owner)
    const denied = inTenant((trx) =>
      assertGranted(trx, tenant(), user.id, TEST_TYPE, resource, 'view'),
    )
    await expect(denied).rejects.toMatchObject({
      statusCode: 404,
      code: 'ACCESS_RESOURCE_NOT_FOUND',
    })
    const own = inTenant((trx) =>
      assertGranted(
        trx,
        tenant(),
        user.id,
        TEST_TYPE,
        resource,
        'view',
        () => new AppError('DATA_COLLECTION_NOT_FOUND', 404, 'No collection with that id'),
      ),
    )
    await expect(own).rejects.toMatchObject({ code: 'DATA_COLLECTION_NOT_FOUND' })
    const group = await createGroup(t, o.owner, 'Asserted')
    await addMember(t, o.owner, group, user.id)
    await grant(t, o.owner, group, resource, 'view')
    await expect(
      inTenant((trx) => assertGranted(trx, tenant(), user.id, TEST_TYPE, resource, 'view')),
    ).resolves.toBeUndefined()
  })

  it('AUTHZ-2: malformed ids have no grant; an unregistered type or permission is a programming error', async () => {
    for (const [userId, resourceId] of [
      ['not-a-uuid', '00000000-0000-4000-8000-000000000000'],
      [user.id, "1' OR '1'='1"],
    ]) {
      expect(
        await inTenant((trx) =>
          hasGrant(trx, tenant(), userId as string, TEST_TYPE, resourceId as string, 'view'),
        ),
      ).toBe(false)
    }
    await expect(
      inTenant((trx) => hasGrant(trx, tenant(), user.id, 'no_such_type', user.id, 'view')),
    ).rejects.toThrow(TypeError)
    await expect(
      inTenant((trx) => grantedResourceIds(trx, tenant(), user.id, TEST_TYPE, 'delete')),
    ).rejects.toThrow(TypeError)
  })

  it('AUTHZ-2: deleting a resource can take its grants with it, each removal audited', async () => {
    const resource = await newResource(t, o.owner)
    const group = await createGroup(t, o.owner, 'Resource gone')
    await addMember(t, o.owner, group, user.id)
    await grant(t, o.owner, group, resource, 'view')
    await grant(t, o.owner, group, resource, 'use')
    const removed = await inTenant((trx) =>
      removeGrantsOnResource(trx, tenant(), TEST_TYPE, resource, {
        type: 'user',
        id: o.org.owner.id,
      }),
    )
    expect(removed).toBe(2)
    expect(await mayAccess(t, tenant(), user.id, resource, 'view')).toBe(false)
    const events = (await auditEvents(t, o.owner, 'group.grant_remove')).filter(
      (e) => (e.target as { id: string }).id === resource,
    )
    expect(events.map((e) => e.reason)).toEqual(['resource_deleted', 'resource_deleted'])
  })
})
