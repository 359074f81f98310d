// AUTHZ-2: groups and members through the API: create, list with counts, rename, delete with
// members and grants, idempotent membership, the caller's own groups, and the audit events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/support/app.ts'
import {
  addMember,
  addUser,
  auditEvents,
  call,
  createGroup,
  grant,
  newOrg,
  newResource,
  type Org,
  type User,
} from './groups.test-support.ts'

let t: TestApp
let o: Org
let alice: User
let bob: User

beforeAll(async () => {
  t = await createTestApp()
  o = await newOrg(t)
  alice = await addUser(t, o.org, 'member')
  bob = await addUser(t, o.org, 'viewer')
})
afterAll(() => t.close())

describe('AUTHZ-2 groups', () => {
  it('AUTHZ-2: creates a group and shows it, with counts, in the list and by id', async () => {
    const created = await call(t, o.owner, 'POST', '/api/v1/groups', {
      name: '  Finance  ',
      description: 'Month-end close\nand audits',
    })
    expect(created.statusCode, created.body).toBe(201)
    const group = created.json()
    expect(group).toMatchObject({
      name: 'Finance',
      description: 'Month-end close\nand audits',
      memberCount: 0,
      grantCount: 0,
      createdBy: o.org.owner.id,
    })
    await addMember(t, o.owner, group.id, alice.id)
    const one = await call(t, o.owner, 'GET', `/api/v1/groups/${group.id}`)
    expect(one.json()).toMatchObject({ id: group.id, memberCount: 1, grantCount: 0 })
    const list = await call(t, o.owner, 'GET', '/api/v1/groups')
    expect(list.json().groups.find((g: { id: string }) => g.id === group.id)).toMatchObject({
      memberCount: 1,
    })
  })

  it('AUTHZ-2: lists groups by name, ignoring letter case', async () => {
    const org = await newOrg(t)
    for (const name of ['beta', 'Alpha', 'gamma']) await createGroup(t, org.owner, name)
    const res = await call(t, org.owner, 'GET', '/api/v1/groups')
    expect(res.json().groups.map((g: { name: string }) => g.name)).toEqual([
      'Alpha',
      'beta',
      'gamma',
    ])
  })

  it('AUTHZ-2: names are unique ignoring case and after NFC (409)', async () => {
    await createGroup(t, o.owner, 'Café Team')
    for (const name of ['café team', 'CAFÉ TEAM', 'Cafe\u0301 Team', ' café team ']) {
      const res = await call(t, o.owner, 'POST', '/api/v1/groups', { name })
      expect(res.statusCode, name).toBe(409)
      expect(res.json().error.code).toBe('ACCESS_GROUP_NAME_TAKEN')
    }
    await createGroup(t, o.owner, 'Straße')
    const folded = await call(t, o.owner, 'POST', '/api/v1/groups', { name: 'STRASSE' })
    expect(folded.json().error.code).toBe('ACCESS_GROUP_NAME_TAKEN')
  })

  it('AUTHZ-2: renames and re-describes; a clash is 409, a no-op records nothing', async () => {
    const id = await createGroup(t, o.owner, 'Ops')
    await createGroup(t, o.owner, 'Support')
    const renamed = await call(t, o.owner, 'PATCH', `/api/v1/groups/${id}`, {
      name: 'Operations',
      description: 'On call',
    })
    expect(renamed.statusCode, renamed.body).toBe(200)
    expect(renamed.json()).toMatchObject({ id, name: 'Operations', description: 'On call' })
    const clash = await call(t, o.owner, 'PATCH', `/api/v1/groups/${id}`, { name: 'SUPPORT' })
    expect(clash.statusCode).toBe(409)
    expect(clash.json().error.code).toBe('ACCESS_GROUP_NAME_TAKEN')
    // Its own name in another case is not a clash.
    const recased = await call(t, o.owner, 'PATCH', `/api/v1/groups/${id}`, { name: 'OPERATIONS' })
    expect(recased.json().name).toBe('OPERATIONS')
    const cleared = await call(t, o.owner, 'PATCH', `/api/v1/groups/${id}`, { description: null })
    expect(cleared.json().description).toBeNull()
    const updates = (await auditEvents(t, o.owner, 'group.update')).filter(
      (e) => (e.target as { id: string }).id === id,
    )
    expect(updates.map((e) => e.fields)).toEqual([
      ['description'],
      ['name'],
      ['name', 'description'],
    ])
    await call(t, o.owner, 'PATCH', `/api/v1/groups/${id}`, { name: 'OPERATIONS' })
    expect(
      (await auditEvents(t, o.owner, 'group.update')).filter(
        (e) => (e.target as { id: string }).id === id,
      ),
    ).toHaveLength(3)
  })

  it('AUTHZ-2: deleting a group takes its members and grants with it', async () => {
    const id = await createGroup(t, o.owner, 'Short-lived')
    await addMember(t, o.owner, id, alice.id)
    await grant(t, o.owner, id, await newResource(t, o.owner), 'view')
    const deleted = await call(t, o.owner, 'DELETE', `/api/v1/groups/${id}`)
    expect(deleted.statusCode).toBe(204)
    for (const url of [`/api/v1/groups/${id}`, `/api/v1/groups/${id}/members`]) {
      const res = await call(t, o.owner, 'GET', url)
      expect(res.statusCode).toBe(404)
      expect(res.json().error.code).toBe('ACCESS_GROUP_NOT_FOUND')
    }
    const db = t.database.handle.db
    const members = await db.selectFrom('group_members').selectAll().where('group_id', '=', id)
    const grants = await db.selectFrom('group_grants').selectAll().where('group_id', '=', id)
    expect(await members.execute()).toEqual([])
    expect(await grants.execute()).toEqual([])
    const again = await call(t, o.owner, 'DELETE', `/api/v1/groups/${id}`)
    expect(again.statusCode).toBe(404)
  })

  it('AUTHZ-2: adding a member is idempotent (201, then 200) and removing one is 204, then 404', async () => {
    const id = await createGroup(t, o.owner, 'Idempotent')
    const first = await call(t, o.owner, 'PUT', `/api/v1/groups/${id}/members/${bob.id}`)
    expect(first.statusCode).toBe(201)
    expect(first.json()).toMatchObject({
      userId: bob.id,
      email: bob.email,
      addedBy: o.org.owner.id,
    })
    const second = await call(t, o.owner, 'PUT', `/api/v1/groups/${id}/members/${bob.id}`)
    expect(second.statusCode).toBe(200)
    expect(second.json().addedAt).toBe(first.json().addedAt)
    const members = await call(t, o.owner, 'GET', `/api/v1/groups/${id}/members`)
    expect(members.json().members).toEqual([first.json()])
    const adds = (await auditEvents(t, o.owner, 'group.member_add')).filter(
      (e) => (e.target as { id: string }).id === bob.id,
    )
    expect(adds).toHaveLength(1)
    const removed = await call(t, o.owner, 'DELETE', `/api/v1/groups/${id}/members/${bob.id}`)
    expect(removed.statusCode).toBe(204)
    const gone = await call(t, o.owner, 'DELETE', `/api/v1/groups/${id}/members/${bob.id}`)
    expect(gone.statusCode).toBe(404)
    expect(gone.json().error.code).toBe('ACCESS_GROUP_MEMBER_NOT_FOUND')
  })

  it('AUTHZ-2: an unknown user or group is 404 with its own code', async () => {
    const id = await createGroup(t, o.owner, 'Lookups')
    const unknown = '00000000-0000-4000-8000-000000000000'
    const noUser = await call(t, o.owner, 'PUT', `/api/v1/groups/${id}/members/${unknown}`)
    expect(noUser.statusCode).toBe(404)
    expect(noUser.json().error.code).toBe('ACCESS_GROUP_USER_NOT_FOUND')
    const noGroup = await call(t, o.owner, 'PUT', `/api/v1/groups/${unknown}/members/${alice.id}`)
    expect(noGroup.statusCode).toBe(404)
    expect(noGroup.json().error.code).toBe('ACCESS_GROUP_NOT_FOUND')
  })

  it('AUTHZ-2: a signed-in user lists their own groups with no permission needed', async () => {
    const org = await newOrg(t)
    const viewer = await addUser(t, org.org, 'viewer')
    const mine = await createGroup(t, org.owner, 'Mine')
    await createGroup(t, org.owner, 'Not mine')
    await addMember(t, org.owner, mine, viewer.id)
    const res = await call(t, viewer.session, 'GET', '/api/v1/me/groups')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().groups).toEqual([{ id: mine, name: 'Mine', description: null }])
    const owners = await call(t, org.owner, 'GET', '/api/v1/me/groups')
    expect(owners.json().groups).toEqual([])
  })

  it('AUTHZ-2, LOG-1: every change is audited with ids only, never names', async () => {
    const org = await newOrg(t)
    const user = await addUser(t, org.org, 'member')
    const secretName = 'Project Nightingale'
    const id = await createGroup(t, org.owner, secretName)
    await call(t, org.owner, 'PATCH', `/api/v1/groups/${id}`, { name: `${secretName} 2` })
    await addMember(t, org.owner, id, user.id)
    const resource = await newResource(t, org.owner)
    await grant(t, org.owner, id, resource, 'edit')
    await call(t, org.owner, 'DELETE', `/api/v1/groups/${id}/members/${user.id}`)
    await addMember(t, org.owner, id, user.id)
    await call(t, org.owner, 'DELETE', `/api/v1/groups/${id}`)
    const events = (await auditEvents(t, org.owner)).filter((e) =>
      String(e.action).startsWith('group.'),
    )
    expect(events.reverse().map((e) => [e.action, e.target, e.reason ?? null])).toEqual([
      ['group.create', { type: 'group', id }, null],
      ['group.update', { type: 'group', id }, null],
      ['group.member_add', { type: 'user', id: user.id }, null],
      ['group.grant_add', { type: 'test_credential', id: resource }, null],
      ['group.member_remove', { type: 'user', id: user.id }, null],
      ['group.member_add', { type: 'user', id: user.id }, null],
      ['group.delete', { type: 'group', id }, null],
      ['group.member_remove', { type: 'user', id: user.id }, 'group_deleted'],
      ['group.grant_remove', { type: 'test_credential', id: resource }, 'group_deleted'],
    ])
    for (const e of events) {
      expect(e.actor).toEqual({ type: 'user', id: org.org.owner.id })
      expect(JSON.stringify(e)).not.toContain('Nightingale')
      expect(JSON.stringify(e)).not.toContain(user.email)
    }
  })
})
