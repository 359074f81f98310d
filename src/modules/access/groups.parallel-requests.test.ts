// AUTHZ-2: parallel requests cannot break the rules: creates racing past the cap leave exactly
// MAX_GROUPS_PER_TENANT groups, creates racing for one name leave one group, and members or
// grants racing a group's deletion get a 404, never a 500 or a row left behind.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/support/app.ts'
import { groupNameKey, MAX_GROUPS_PER_TENANT } from './groups.service.ts'
import {
  addUser,
  call,
  createGroup,
  newOrg,
  newResource,
  type Org,
  TEST_TYPE,
} from './groups.test-support.ts'

let t: TestApp

beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

async function groupsOf(org: Org): Promise<number> {
  const rows = await t.database.handle.db
    .selectFrom('groups')
    .select('id')
    .where('tenant_id', '=', org.org.tenant.id)
    .execute()
  return rows.length
}

describe('AUTHZ-2 parallel requests', () => {
  it('AUTHZ-2: parallel creates past the cap never exceed it', async () => {
    const o = await newOrg(t)
    const prefilled = MAX_GROUPS_PER_TENANT - 5
    // Filled directly: the race at the edge is what is under test.
    await t.database.handle.db
      .insertInto('groups')
      .values(
        Array.from({ length: prefilled }, (_, i) => ({
          id: randomUUID(),
          tenant_id: o.org.tenant.id,
          name: `Prefilled ${i}`,
          name_normalized: groupNameKey(`Prefilled ${i}`),
          description: null,
          created_by: null,
        })),
      )
      .execute()
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(t, o.owner, 'POST', '/api/v1/groups', { name: `Racer ${i}` }),
      ),
    )
    const statuses = responses.map((r) => r.statusCode)
    expect(statuses.filter((s) => s === 201)).toHaveLength(5)
    expect(statuses.filter((s) => s === 409)).toHaveLength(15)
    for (const r of responses.filter((r) => r.statusCode === 409)) {
      expect(r.json().error).toMatchObject({
        code: 'ACCESS_GROUP_LIMIT_REACHED',
        details: { limit: MAX_GROUPS_PER_TENANT },
      })
    }
    expect(await groupsOf(o)).toBe(MAX_GROUPS_PER_TENANT)
    // Another organisation is not affected by this one's cap.
    const other = await newOrg(t)
    expect(
      (await call(t, other.owner, 'POST', '/api/v1/groups', { name: 'Free' })).statusCode,
    ).toBe(201)
  })

  it('AUTHZ-2: parallel creates and renames to one name leave exactly one', async () => {
    const o = await newOrg(t)
    const renamed = await createGroup(t, o.owner, 'To be renamed')
    const responses = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) =>
        call(t, o.owner, 'POST', '/api/v1/groups', { name: i % 2 ? 'Contested' : 'CONTESTED' }),
      ),
      call(t, o.owner, 'PATCH', `/api/v1/groups/${renamed}`, { name: 'contested' }),
    ])
    const statuses = responses.map((r) => r.statusCode)
    expect(statuses.filter((s) => s === 201 || s === 200)).toHaveLength(1)
    for (const r of responses.filter((r) => r.statusCode >= 400)) {
      expect(r.statusCode).toBe(409)
      expect(r.json().error.code).toBe('ACCESS_GROUP_NAME_TAKEN')
    }
    const names = (await call(t, o.owner, 'GET', '/api/v1/groups')).json().groups
    expect(
      names.filter((g: { name: string }) => g.name.toLowerCase() === 'contested'),
    ).toHaveLength(1)
  })

  it('AUTHZ-2: members and grants added while the group is deleted get 404 and leave nothing', async () => {
    const o = await newOrg(t)
    const users = await Promise.all([1, 2, 3, 4].map(() => addUser(t, o.org, 'member')))
    const resource = await newResource(t, o.owner)
    for (let round = 0; round < 3; round += 1) {
      const id = await createGroup(t, o.owner, `Doomed ${round}`)
      const responses = await Promise.all([
        ...users.map((u) => call(t, o.owner, 'PUT', `/api/v1/groups/${id}/members/${u.id}`)),
        call(t, o.owner, 'DELETE', `/api/v1/groups/${id}`),
        ...['view', 'edit', 'use'].map((permission) =>
          call(t, o.owner, 'POST', `/api/v1/groups/${id}/grants`, {
            resourceType: TEST_TYPE,
            resourceId: resource,
            permission,
          }),
        ),
      ])
      for (const r of responses) {
        expect([201, 204, 404], r.body).toContain(r.statusCode)
      }
      const db = t.database.handle.db
      expect(
        await db.selectFrom('group_members').select('user_id').where('group_id', '=', id).execute(),
      ).toEqual([])
      expect(
        await db.selectFrom('group_grants').select('id').where('group_id', '=', id).execute(),
      ).toEqual([])
    }
  })

  it('AUTHZ-2: the same member added in parallel is added once', async () => {
    const o = await newOrg(t)
    const user = await addUser(t, o.org, 'viewer')
    const id = await createGroup(t, o.owner, 'Once')
    const responses = await Promise.all(
      Array.from({ length: 6 }, () =>
        call(t, o.owner, 'PUT', `/api/v1/groups/${id}/members/${user.id}`),
      ),
    )
    const statuses = responses.map((r) => r.statusCode).sort()
    expect(statuses).toEqual([200, 200, 200, 200, 200, 201])
    const members = await call(t, o.owner, 'GET', `/api/v1/groups/${id}/members`)
    expect(members.json().members).toHaveLength(1)
  })
})
