// AUTHZ-2: a dashboard reaches only those it is granted to: without a grant every route answers
// 404; a view grant shows it and its results (no grant on its collections needed); an edit grant
// changes it, but only with widgets over collections the editor may view; data.manage reaches
// every dashboard. A removed grant stops access at the very next request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedIn,
  type SignedUp,
  signInBearer,
  signUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { addMember, createGroup, newOrg } from '../access/groups.test-support.ts'
import { addUser, type TestUser } from '../identity/members.test-support.ts'
import type { Collection } from './collections.service.ts'
import type { Dashboard } from './dashboards.service.ts'
import {
  addRecords,
  countWidget,
  grantDashboard,
  newDashboard,
  newSalesCollection,
  times,
} from './dashboards.test-support.ts'
import type { WidgetDefinition } from './dashboards.widgets.ts'
import { call, expectStatus, grantCollection } from './data.test-support.ts'

let t: TestApp
let org: SignedUp
let owner: SignedIn
let member: TestUser
let viewer: TestUser
let admin: TestUser
let group: string
let sales: Collection
let other: Collection

const widget = (collectionId: string, title = 'Count') => countWidget(collectionId, { title })

beforeAll(async () => {
  t = await createTestApp()
  ;({ org, owner } = await newOrg(t))
  member = await addUser(t, org, 'member')
  viewer = await addUser(t, org, 'viewer')
  admin = await addUser(t, org, 'admin')
  group = await createGroup(t, owner, 'Sales team')
  await addMember(t, owner, group, member.id)
  await addMember(t, owner, group, viewer.id)
  sales = await newSalesCollection(t, owner)
  other = await newSalesCollection(t, owner)
  await addRecords(t, owner, sales.id, times(5, { region: 'north' }))
})
afterAll(() => t.close())

async function fresh(): Promise<Dashboard> {
  return newDashboard(t, owner, [widget(sales.id)])
}

const routes = (id: string, who: SignedIn) => [
  call(t, who, 'GET', `/api/v1/dashboards/${id}`),
  call(t, who, 'GET', `/api/v1/dashboards/${id}/data`),
  call(t, who, 'PUT', `/api/v1/dashboards/${id}`, { name: 'Mine', widgets: [] }),
]

describe('dashboards need to know', () => {
  it('AUTHZ-2: without a grant a member gets 404 on every route and an empty list', async () => {
    const dashboard = await fresh()
    for (const res of await Promise.all(routes(dashboard.id, member.session))) {
      expectStatus(res, 404)
      expect(res.json().error.code).toBe('DATA_DASHBOARD_NOT_FOUND')
    }
    const list = await call(t, member.session, 'GET', '/api/v1/dashboards')
    expect(list.json().dashboards.map((d: { id: string }) => d.id)).not.toContain(dashboard.id)
    // Creating and deleting need data.manage, whatever the grants.
    await grantDashboard(t, owner, group, dashboard.id, 'edit')
    const del = await call(t, member.session, 'DELETE', `/api/v1/dashboards/${dashboard.id}`)
    expectStatus(del, 403)
    expect(del.json().error.details).toEqual({ permission: 'data.manage' })
    const post = await call(t, member.session, 'POST', '/api/v1/dashboards', {
      name: 'x',
      widgets: [],
    })
    expectStatus(post, 403)
  })

  it('AUTHZ-2: a view grant shows the dashboard and its results, without any grant on the collection', async () => {
    const dashboard = await fresh()
    await grantDashboard(t, owner, group, dashboard.id, 'view')
    const got = await call(t, member.session, 'GET', `/api/v1/dashboards/${dashboard.id}`)
    expectStatus(got, 200)
    const data = await call(t, viewer.session, 'GET', `/api/v1/dashboards/${dashboard.id}/data`)
    expectStatus(data, 200)
    expect(data.json().widgets[0]).toMatchObject({ status: 'ok', value: 5 })
    // The collection itself stays out of reach.
    expectStatus(await call(t, member.session, 'GET', `/api/v1/collections/${sales.id}`), 404)
    const list = await call(t, viewer.session, 'GET', '/api/v1/dashboards')
    expect(list.json().dashboards.map((d: { id: string }) => d.id)).toContain(dashboard.id)
    // View is not edit.
    const put = await call(t, member.session, 'PUT', `/api/v1/dashboards/${dashboard.id}`, {
      name: 'Mine',
      widgets: [],
    })
    expectStatus(put, 404)
  })

  it('AUTHZ-2: an editor cannot aim a widget at a collection they may not view', async () => {
    const dashboard = await fresh()
    await grantDashboard(t, owner, group, dashboard.id, 'edit')
    // The existing widget's collection is not granted to the editor: saving is refused.
    const blind = await call(t, member.session, 'PUT', `/api/v1/dashboards/${dashboard.id}`, {
      name: 'Renamed',
      widgets: dashboard.widgets,
    })
    expectStatus(blind, 422)
    expect(blind.json().error).toMatchObject({
      code: 'DATA_WIDGET_COLLECTION_NOT_FOUND',
      details: { widget: 0, property: 'collectionId' },
    })
    await grantCollection(t, owner, group, sales.id, 'view')
    const renamed = await call(t, member.session, 'PUT', `/api/v1/dashboards/${dashboard.id}`, {
      name: 'Renamed',
      widgets: dashboard.widgets,
    })
    expectStatus(renamed, 200)
    // Viewing one collection does not open another, nor one of another organisation.
    const stranger = await signUp(t.app)
    const strangerOwner = await signInBearer(t.app, stranger)
    const foreign = await newSalesCollection(t, strangerOwner)
    for (const target of [other.id, foreign.id]) {
      const aimed = await call(t, member.session, 'PUT', `/api/v1/dashboards/${dashboard.id}`, {
        name: 'Renamed',
        widgets: [widget(sales.id), widget(target, 'Elsewhere')],
      })
      expectStatus(aimed, 422)
      expect(aimed.json().error).toMatchObject({
        code: 'DATA_WIDGET_COLLECTION_NOT_FOUND',
        details: { widget: 1 },
      })
    }
    const after = await call(t, owner, 'GET', `/api/v1/dashboards/${dashboard.id}`)
    expect(after.json().widgets.map((w: WidgetDefinition) => w.collectionId)).toEqual([sales.id])
  })

  it('AUTHZ-2: a viewer granted edit still cannot change a dashboard (dashboards.write)', async () => {
    const dashboard = await fresh()
    await grantDashboard(t, owner, group, dashboard.id, 'edit')
    const put = await call(t, viewer.session, 'PUT', `/api/v1/dashboards/${dashboard.id}`, {
      name: 'Viewer was here',
      widgets: [],
    })
    expectStatus(put, 403)
    expect(put.json().error.details).toEqual({ permission: 'dashboards.write' })
    expectStatus(await call(t, viewer.session, 'GET', `/api/v1/dashboards/${dashboard.id}`), 200)
  })

  it('AUTHZ-2: a removed grant stops access at the next request', async () => {
    const dashboard = await fresh()
    const grantId = await grantDashboard(t, owner, group, dashboard.id, 'view')
    expectStatus(
      await call(t, member.session, 'GET', `/api/v1/dashboards/${dashboard.id}/data`),
      200,
    )
    expectStatus(await call(t, owner, 'DELETE', `/api/v1/groups/${group}/grants/${grantId}`), 204)
    expectStatus(
      await call(t, member.session, 'GET', `/api/v1/dashboards/${dashboard.id}/data`),
      404,
    )
  })

  it('AUTHZ-2: data.manage reaches every dashboard; deleting one removes its grants', async () => {
    const dashboard = await fresh()
    await grantDashboard(t, owner, group, dashboard.id, 'view')
    for (const res of await Promise.all(routes(dashboard.id, admin.session))) expectStatus(res, 200)
    const list = await call(t, admin.session, 'GET', '/api/v1/dashboards')
    expect(list.json().dashboards.map((d: { id: string }) => d.id)).toContain(dashboard.id)
    expectStatus(await call(t, admin.session, 'DELETE', `/api/v1/dashboards/${dashboard.id}`), 204)
    const grants = await call(t, owner, 'GET', `/api/v1/groups/${group}/grants`)
    expect(grants.json().grants.map((g: { resourceId: string }) => g.resourceId)).not.toContain(
      dashboard.id,
    )
  })

  it('AUTHZ-5: another organisation’s owner gets 404 on every route of a real dashboard', async () => {
    const dashboard = await fresh()
    const stranger = await signInBearer(t.app, await signUp(t.app))
    const answers = await Promise.all([
      ...routes(dashboard.id, stranger),
      call(t, stranger, 'DELETE', `/api/v1/dashboards/${dashboard.id}`),
    ])
    for (const res of answers) {
      expectStatus(res, 404)
      expect(res.json().error.code).toBe('DATA_DASHBOARD_NOT_FOUND')
    }
    const list = await call(t, stranger, 'GET', '/api/v1/dashboards')
    expect(list.json().dashboards).toEqual([])
    expectStatus(await call(t, owner, 'GET', `/api/v1/dashboards/${dashboard.id}`), 200)
  })
})
