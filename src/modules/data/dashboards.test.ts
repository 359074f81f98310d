// DATA-1: dashboards through the API: widgets of every kind computed by the database over live
// records, re-checked against the current schema at each view, and every change audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedIn,
  type SignedUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { newOrg } from '../access/groups.test-support.ts'
import type { Collection } from './collections.service.ts'
import {
  addRecords,
  computeOne,
  countWidget,
  dashboardData,
  groupsOf,
  newDashboard,
  newSalesCollection,
  SALES_FIELDS,
  times,
} from './dashboards.test-support.ts'
import type { WidgetDefinition } from './dashboards.widgets.ts'
import { call, expectStatus, loggedEvents, newRecord } from './data.test-support.ts'

let t: TestApp
let org: SignedUp
let owner: SignedIn
let tenantId: string
let sales: Collection

const today = new Date().toISOString().slice(0, 10)
const monthStart = `${today.slice(0, 7)}-01`

beforeAll(async () => {
  t = await createTestApp()
  ;({ org, owner } = await newOrg(t))
  tenantId = org.tenant.id
  sales = await newSalesCollection(t, owner)
  const person = {
    customer: 'Ada Lovelace',
    diagnosis: 'flu',
    salary: 99_000,
    born_on: '1990-04-01',
  }
  await addRecords(t, owner, sales.id, [
    ...[10, 20, 30, 40, 50, 60].map((amount, i) => ({
      ...person,
      region: 'north',
      product: 'basic',
      amount,
      paid: true,
      sold_on: `2026-01-0${i + 1}`,
    })),
    ...times(5, {
      ...person,
      region: 'south',
      product: 'plus',
      amount: 100,
      paid: false,
      sold_on: '2026-02-10',
    }),
    ...[1, 2, 3, 4, 5].map((amount) => ({
      ...person,
      region: 'east',
      product: 'pro',
      amount,
      paid: true,
      sold_on: '2026-03-15',
    })),
  ])
})
afterAll(() => t.close())

const base = (widget: Partial<WidgetDefinition>) => countWidget(sales.id, widget)

describe('widgets computed by the database', () => {
  it('DATA-1: count, sum, avg, min and max over the whole collection', async () => {
    const dashboard = await newDashboard(t, owner, [
      base({ title: 'Sales' }),
      base({ title: 'Revenue', aggregate: 'sum', field: 'amount' }),
      base({ title: 'Average', aggregate: 'avg', field: 'amount' }),
      base({ title: 'Smallest', aggregate: 'min', field: 'amount' }),
      base({ title: 'Largest', aggregate: 'max', field: 'amount' }),
    ])
    const data = await dashboardData(t, owner, dashboard.id)
    expect(data.name).toBe('Sales')
    expect(data.widgets.map((w) => [w.title, w.status, w.value])).toEqual([
      ['Sales', 'ok', 16],
      ['Revenue', 'ok', 725],
      ['Average', 'ok', 725 / 16],
      ['Smallest', 'ok', 1],
      ['Largest', 'ok', 100],
    ])
    expect(data.widgets.every((w) => w.threshold === 5 && w.suppressed === 0)).toBe(true)
  })

  it('DATA-1: grouped by a text, an enum and a boolean field', async () => {
    const byRegion = await computeOne(t, owner, base({ groupBy: 'region' }))
    // Largest first; equal sizes by label.
    expect(byRegion.groups?.map((g) => g.label)).toEqual(['north', 'east', 'south'])
    expect(groupsOf(byRegion)).toEqual({ north: 6, south: 5, east: 5 })
    const byProduct = await computeOne(
      t,
      owner,
      base({ aggregate: 'sum', field: 'amount', groupBy: 'product' }),
    )
    expect(groupsOf(byProduct)).toEqual({ basic: 210, plus: 500, pro: 15 })
    const byPaid = await computeOne(
      t,
      owner,
      base({ aggregate: 'avg', field: 'amount', groupBy: 'paid' }),
    )
    expect(groupsOf(byPaid)).toEqual({ true: 225 / 11, false: 100 })
  })

  it('DATA-1: by day, week (from Monday) and month of a date field, in UTC', async () => {
    const byMonth = await computeOne(t, owner, base({ interval: 'month', timeField: 'sold_on' }))
    expect(groupsOf(byMonth)).toEqual({ '2026-01-01': 6, '2026-02-01': 5, '2026-03-01': 5 })
    expect(byMonth.groups?.map((g) => g.period)).toEqual(['2026-01-01', '2026-02-01', '2026-03-01'])
    // North's six days fall into two weeks (4 and 2 records): both suppressed.
    const byWeek = await computeOne(t, owner, base({ interval: 'week', timeField: 'sold_on' }))
    expect(groupsOf(byWeek)).toEqual({ '2026-02-09': 5, '2026-03-09': 5 })
    expect(byWeek.suppressed).toBe(2)
    const byDay = await computeOne(t, owner, base({ interval: 'day', timeField: 'sold_on' }))
    expect(groupsOf(byDay)).toEqual({ '2026-02-10': 5, '2026-03-15': 5 })
    expect(byDay.suppressed).toBe(6)
  })

  it('DATA-1: grouped by a field and an interval together', async () => {
    const widget = await computeOne(
      t,
      owner,
      base({
        aggregate: 'sum',
        field: 'amount',
        groupBy: 'region',
        interval: 'month',
        timeField: 'sold_on',
      }),
    )
    expect(groupsOf(widget)).toEqual({
      '2026-01-01|north': 210,
      '2026-02-01|south': 500,
      '2026-03-01|east': 15,
    })
  })

  it('DATA-1: over a range of a date field (from/to, inclusive) and of createdAt (last N days)', async () => {
    const february = await computeOne(
      t,
      owner,
      base({ timeField: 'sold_on', range: { from: '2026-02-01', to: '2026-02-28' } }),
    )
    expect(february.value).toBe(5)
    const fromMarch = await computeOne(
      t,
      owner,
      base({ timeField: 'sold_on', range: { from: '2026-03-15' } }),
    )
    expect(fromMarch.value).toBe(5)
    const untilJanuary = await computeOne(
      t,
      owner,
      base({
        aggregate: 'sum',
        field: 'amount',
        timeField: 'sold_on',
        range: { to: '2026-01-31' },
      }),
    )
    expect(untilJanuary.value).toBe(210)
    const today1 = await computeOne(t, owner, base({ range: { lastDays: 1 } }))
    expect(today1.value).toBe(16)
    const byCreation = await computeOne(
      t,
      owner,
      base({ interval: 'month', range: { lastDays: 30 } }),
    )
    expect(groupsOf(byCreation)).toEqual({ [monthStart]: 16 })
    const longAgo = await computeOne(
      t,
      owner,
      base({ range: { from: '2020-01-01', to: '2020-12-31' } }),
    )
    expect(longAgo).toMatchObject({ status: 'ok', value: null, suppressed: 1 })
  })

  it('DATA-4: locked records are not counted', async () => {
    const coll = await newSalesCollection(t, owner)
    const ids = await addRecords(t, owner, coll.id, times(6, { region: 'west', amount: 1 }))
    const widget = base({ collectionId: coll.id })
    const dashboard = await newDashboard(t, owner, [widget])
    expect((await dashboardData(t, owner, dashboard.id)).widgets[0]?.value).toBe(6)
    expectStatus(
      await call(t, owner, 'DELETE', `/api/v1/collections/${coll.id}/records/${ids[0]}`),
      200,
    )
    // Five live records are still enough; a second deletion takes the count below the threshold.
    expect((await dashboardData(t, owner, dashboard.id)).widgets[0]?.value).toBe(5)
    expectStatus(
      await call(t, owner, 'DELETE', `/api/v1/collections/${coll.id}/records/${ids[1]}`),
      200,
    )
    expect((await dashboardData(t, owner, dashboard.id)).widgets[0]).toMatchObject({
      value: null,
      suppressed: 1,
    })
  })
})

describe('schema changes after saving', () => {
  it('DATA-1: a widget whose field was removed answers with its own error; the others still compute', async () => {
    const coll = await newSalesCollection(t, owner)
    await addRecords(t, owner, coll.id, times(5, { region: 'north', product: 'plus', amount: 2 }))
    const dashboard = await newDashboard(t, owner, [
      base({ title: 'By product', collectionId: coll.id, groupBy: 'product' }),
      base({ title: 'All', collectionId: coll.id }),
    ])
    const patched = await call(t, owner, 'PATCH', `/api/v1/collections/${coll.id}`, {
      fields: SALES_FIELDS.filter((f) => f.key !== 'product'),
      expectedVersion: 1,
    })
    expectStatus(patched, 200)
    const data = await dashboardData(t, owner, dashboard.id)
    expect(data.widgets[0]).toMatchObject({
      title: 'By product',
      status: 'error',
      error: { code: 'DATA_WIDGET_FIELD_UNKNOWN', field: 'product' },
    })
    expect(data.widgets[0]?.groups).toBeUndefined()
    expect(data.widgets[1]).toMatchObject({ status: 'ok', value: 5 })
    // Saving the dashboard again refuses the broken widget, naming it.
    const saved = await call(t, owner, 'PUT', `/api/v1/dashboards/${dashboard.id}`, {
      name: 'Sales',
      widgets: dashboard.widgets,
    })
    expectStatus(saved, 422)
    expect(saved.json().error).toMatchObject({
      code: 'DATA_WIDGET_FIELD_UNKNOWN',
      details: { widget: 0, property: 'groupBy', field: 'product' },
    })
  })

  it('DATA-4: a locked collection makes its widgets unavailable until it is restored', async () => {
    const coll = await newSalesCollection(t, owner)
    await addRecords(t, owner, coll.id, times(5, { region: 'north' }))
    const dashboard = await newDashboard(t, owner, [base({ collectionId: coll.id })])
    expectStatus(await call(t, owner, 'DELETE', `/api/v1/collections/${coll.id}`), 200)
    const locked = await dashboardData(t, owner, dashboard.id)
    expect(locked.widgets[0]).toMatchObject({
      status: 'error',
      collectionName: null,
      error: { code: 'DATA_WIDGET_COLLECTION_UNAVAILABLE' },
    })
    expect(locked.widgets[0]?.value).toBeUndefined()
    expectStatus(await call(t, owner, 'POST', `/api/v1/collections/${coll.id}/restore`), 200)
    expect((await dashboardData(t, owner, dashboard.id)).widgets[0]).toMatchObject({
      status: 'ok',
      value: 5,
    })
  })
})

describe('dashboard routes', () => {
  it('DATA-1, DATA-2: create, list, get, replace and delete, each change audited', async () => {
    const created = await call(t, owner, 'POST', '/api/v1/dashboards', {
      name: '  Q1 figures ',
      description: 'Sales\nby region',
      refreshSeconds: 60,
      widgets: [base({ title: ' Per region ', groupBy: 'region' })],
    })
    expectStatus(created, 201)
    const dashboard = created.json()
    expect(dashboard).toMatchObject({
      name: 'Q1 figures',
      description: 'Sales\nby region',
      refreshSeconds: 60,
      version: 1,
      widgets: [
        { title: 'Per region', collectionId: sales.id, aggregate: 'count', groupBy: 'region' },
      ],
    })
    const list = await call(t, owner, 'GET', '/api/v1/dashboards')
    expectStatus(list, 200)
    expect(list.json().dashboards).toContainEqual(
      expect.objectContaining({ id: dashboard.id, name: 'Q1 figures', widgetCount: 1 }),
    )
    expect((await call(t, owner, 'GET', `/api/v1/dashboards/${dashboard.id}`)).json()).toEqual(
      dashboard,
    )

    const replaced = await call(t, owner, 'PUT', `/api/v1/dashboards/${dashboard.id}`, {
      name: 'Q1',
      widgets: [
        base({ title: 'All' }),
        base({ title: 'Revenue', aggregate: 'sum', field: 'amount' }),
      ],
      expectedVersion: 1,
    })
    expectStatus(replaced, 200)
    expect(replaced.json()).toMatchObject({
      name: 'Q1',
      version: 2,
      description: null,
      refreshSeconds: 60,
    })
    // The same dashboard again is no change: no new version, no event.
    const same = await call(t, owner, 'PUT', `/api/v1/dashboards/${dashboard.id}`, {
      name: 'Q1',
      widgets: [
        base({ title: 'All' }),
        base({ title: 'Revenue', aggregate: 'sum', field: 'amount' }),
      ],
      expectedVersion: 2,
    })
    expectStatus(same, 200)
    expect(same.json()).toMatchObject({ version: 2 })
    const stale = await call(t, owner, 'PUT', `/api/v1/dashboards/${dashboard.id}`, {
      name: 'Q1 again',
      widgets: [],
      expectedVersion: 1,
    })
    expectStatus(stale, 409)
    expect(stale.json().error).toMatchObject({
      code: 'DATA_DASHBOARD_VERSION_CONFLICT',
      details: { version: 2 },
    })

    expectStatus(await call(t, owner, 'DELETE', `/api/v1/dashboards/${dashboard.id}`), 204)
    expectStatus(await call(t, owner, 'GET', `/api/v1/dashboards/${dashboard.id}`), 404)
    expectStatus(await call(t, owner, 'DELETE', `/api/v1/dashboards/${dashboard.id}`), 404)

    const events = (await loggedEvents(t, tenantId)).filter((e) => e.target?.id === dashboard.id)
    expect(events.map((e) => [e.action, e.fields])).toEqual([
      ['dashboard.create', undefined],
      ['dashboard.update', ['name', 'description', 'widgets']],
      ['dashboard.delete', undefined],
    ])
    expect(events.every((e) => e.actor.type === 'user' && e.target?.type === 'dashboard')).toBe(
      true,
    )
  })

  it('DATA-1: parallel replacements against one version: exactly one wins', async () => {
    const dashboard = await newDashboard(t, owner, [base({})])
    const answers = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        call(t, owner, 'PUT', `/api/v1/dashboards/${dashboard.id}`, {
          name: `Edit ${n}`,
          widgets: [],
          expectedVersion: 1,
        }),
      ),
    )
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409, 409, 409])
  })

  it('DATA-1: records without a number or a date are left out of sums and form their own period', async () => {
    const coll = await newSalesCollection(t, owner)
    await addRecords(t, owner, coll.id, [
      ...times(5, { amount: 3, sold_on: '2026-05-05' }),
      ...times(5, { amount: 4, sold_on: '2026-06-06' }),
    ])
    await newRecord(t, owner, coll.id, { region: 'x' })
    const sum = await computeOne(
      t,
      owner,
      base({ collectionId: coll.id, aggregate: 'sum', field: 'amount' }),
    )
    expect(sum.value).toBe(35)
    const months = await computeOne(
      t,
      owner,
      base({ collectionId: coll.id, interval: 'month', timeField: 'sold_on' }),
    )
    // The record without a date is a group of one: suppressed, and since one record is below
    // the threshold, the smallest shown group is suppressed with it (secondary suppression).
    expect(groupsOf(months)).toEqual({ '2026-05-01': 5 })
    expect(months.suppressed).toBe(2)
  })
})
