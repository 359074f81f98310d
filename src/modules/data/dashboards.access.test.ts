// AUTHZ-2: GET /api/v1/dashboards/:id/access tells a caller what the API would let them do with a
// dashboard, so the console offers editing only where PUT would succeed: edit needs the role's
// dashboards.write and an edit grant (or data.manage); a view grant alone says view only; without
// a grant, or in another organisation, it is the same 404 as every other dashboard route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type SignedIn, type TestApp } from '../../../test/support/app.ts'
import { addMember, createGroup, newOrg } from '../access/groups.test-support.ts'
import { addUser, type TestUser } from '../identity/members.test-support.ts'
import {
  countWidget,
  grantDashboard,
  newDashboard,
  newSalesCollection,
} from './dashboards.test-support.ts'
import { call, expectStatus } from './data.test-support.ts'

let t: TestApp
let owner: SignedIn
let member: TestUser
let viewer: TestUser
let outsider: SignedIn
let group: string
let collectionId: string

beforeAll(async () => {
  t = await createTestApp()
  const made = await newOrg(t)
  owner = made.owner
  member = await addUser(t, made.org, 'member')
  viewer = await addUser(t, made.org, 'viewer')
  group = await createGroup(t, owner, 'Readers')
  await addMember(t, owner, group, member.id)
  await addMember(t, owner, group, viewer.id)
  collectionId = (await newSalesCollection(t, owner)).id
  outsider = (await newOrg(t)).owner
})
afterAll(() => t.close())

async function accessOf(who: SignedIn, dashboardId: string) {
  const res = await call(t, who, 'GET', `/api/v1/dashboards/${dashboardId}/access`)
  return { status: res.statusCode, body: res.json() }
}

describe('what a caller may do with a dashboard', () => {
  it('AUTHZ-2: data.manage may edit every dashboard; no grant and other organisations get 404', async () => {
    const dashboard = await newDashboard(t, owner, [countWidget(collectionId)])
    expect(await accessOf(owner, dashboard.id)).toEqual({
      status: 200,
      body: { view: true, edit: true },
    })
    for (const who of [member.session, outsider]) {
      const { status, body } = await accessOf(who, dashboard.id)
      expect(status).toBe(404)
      expect(body.error.code).toBe('DATA_DASHBOARD_NOT_FOUND')
    }
  })

  it('AUTHZ-2: a view grant says view only, and PUT is indeed refused', async () => {
    const dashboard = await newDashboard(t, owner, [countWidget(collectionId)])
    await grantDashboard(t, owner, group, dashboard.id, 'view')
    expect(await accessOf(member.session, dashboard.id)).toEqual({
      status: 200,
      body: { view: true, edit: false },
    })
    const put = await call(t, member.session, 'PUT', `/api/v1/dashboards/${dashboard.id}`, {
      name: 'Changed',
      widgets: [],
    })
    expect(put.statusCode).toBe(404)
  })

  it('AUTHZ-2: an edit grant says edit for a member, but not for a viewer (the role is the ceiling)', async () => {
    const dashboard = await newDashboard(t, owner, [])
    await grantDashboard(t, owner, group, dashboard.id, 'edit')
    expect((await accessOf(member.session, dashboard.id)).body).toEqual({ view: true, edit: true })
    expect((await accessOf(viewer.session, dashboard.id)).body).toEqual({ view: true, edit: false })
    const put = await call(t, member.session, 'PUT', `/api/v1/dashboards/${dashboard.id}`, {
      name: 'Changed',
      widgets: [],
    })
    expectStatus(put, 200)
  })
})
