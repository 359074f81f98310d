// KMS-2, DATA-1: no widget aggregates, groups by or shows a personal or sensitive value: such
// fields are refused when a dashboard is saved, a widget whose field became personal since is
// refused when computed, and no result ever carries one of those values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type SignedIn, type TestApp } from '../../../test/support/app.ts'
import { newOrg } from '../access/groups.test-support.ts'
import type { Collection } from './collections.service.ts'
import {
  addRecords,
  countWidget,
  dashboardData,
  newDashboard,
  newSalesCollection,
  SALES_FIELDS,
  times,
} from './dashboards.test-support.ts'
import type { WidgetDefinition } from './dashboards.widgets.ts'
import { call, expectStatus } from './data.test-support.ts'

let t: TestApp
let owner: SignedIn
let sales: Collection

const PERSONAL = {
  customer: 'Grace Hopper',
  diagnosis: 'arrhythmia',
  salary: 123_457,
  born_on: '1906-12-09',
}

beforeAll(async () => {
  t = await createTestApp()
  ;({ owner } = await newOrg(t))
  sales = await newSalesCollection(t, owner)
  await addRecords(t, owner, sales.id, [
    ...times(6, {
      ...PERSONAL,
      region: 'north',
      product: 'pro',
      amount: 7,
      paid: true,
      sold_on: '2026-04-01',
    }),
    ...times(5, {
      ...PERSONAL,
      region: 'south',
      product: 'plus',
      amount: 9,
      paid: false,
      sold_on: '2026-05-01',
    }),
  ])
})
afterAll(() => t.close())

const widget = (extra: Partial<WidgetDefinition>) => countWidget(sales.id, extra)

const REFUSED: [string, Partial<WidgetDefinition>, string, string][] = [
  ['a sensitive number summed', { aggregate: 'sum', field: 'salary' }, 'field', 'salary'],
  ['a sensitive number averaged', { aggregate: 'avg', field: 'salary' }, 'field', 'salary'],
  ['a sensitive number as maximum', { aggregate: 'max', field: 'salary' }, 'field', 'salary'],
  ['groups by a personal text', { groupBy: 'customer' }, 'groupBy', 'customer'],
  ['groups by a sensitive text', { groupBy: 'diagnosis' }, 'groupBy', 'diagnosis'],
  // Classification is reported before type: a sensitive number is not "the wrong type".
  ['groups by a sensitive number', { groupBy: 'salary' }, 'groupBy', 'salary'],
  [
    'a personal date as interval',
    { interval: 'month', timeField: 'born_on' },
    'timeField',
    'born_on',
  ],
  [
    'a personal date as range',
    { timeField: 'born_on', range: { lastDays: 30 } },
    'timeField',
    'born_on',
  ],
]

describe('personal and sensitive fields in widgets', () => {
  it.each(REFUSED)(
    'KMS-2: a widget that %s is refused at definition, naming the widget and the field',
    async (_what, extra, property, field) => {
      const res = await call(t, owner, 'POST', '/api/v1/dashboards', {
        name: 'Leaky',
        widgets: [widget({}), widget(extra)],
      })
      expectStatus(res, 422)
      expect(res.json().error).toMatchObject({
        code: 'DATA_WIDGET_FIELD_PROTECTED',
        details: { widget: 1, property, field },
      })
    },
  )

  it('KMS-2: replacing a dashboard with such a widget is refused too, and nothing changes', async () => {
    const dashboard = await newDashboard(t, owner, [widget({ groupBy: 'region' })])
    const res = await call(t, owner, 'PUT', `/api/v1/dashboards/${dashboard.id}`, {
      name: 'Leaky',
      widgets: [widget({ groupBy: 'diagnosis' })],
    })
    expectStatus(res, 422)
    expect(res.json().error.details).toEqual({ widget: 0, property: 'groupBy', field: 'diagnosis' })
    const after = await call(t, owner, 'GET', `/api/v1/dashboards/${dashboard.id}`)
    expect(after.json()).toEqual(dashboard)
  })

  it('KMS-2: results over every allowed field carry none of the personal or sensitive values', async () => {
    const dashboard = await newDashboard(t, owner, [
      widget({}),
      widget({ groupBy: 'region' }),
      widget({ groupBy: 'product', interval: 'month', timeField: 'sold_on' }),
      widget({ aggregate: 'sum', field: 'amount', groupBy: 'paid' }),
      widget({ aggregate: 'max', field: 'amount', range: { lastDays: 7 } }),
    ])
    const res = await call(t, owner, 'GET', `/api/v1/dashboards/${dashboard.id}/data`)
    expectStatus(res, 200)
    expect(res.json().widgets.every((w: { status: string }) => w.status === 'ok')).toBe(true)
    for (const value of Object.values(PERSONAL)) expect(res.body).not.toContain(String(value))
  })

  it('KMS-2: a field that is personal now refuses its widget when computed, showing no value', async () => {
    const coll = await newSalesCollection(t, owner)
    await addRecords(t, owner, coll.id, times(5, { region: 'north' }))
    const dashboard = await newDashboard(t, owner, [
      widget({ collectionId: coll.id, groupBy: 'region' }),
    ])
    // The key is removed (its values with it) and comes back as a personal field.
    const without = SALES_FIELDS.filter((f) => f.key !== 'region')
    expectStatus(
      await call(t, owner, 'PATCH', `/api/v1/collections/${coll.id}`, {
        fields: without,
        expectedVersion: 1,
      }),
      200,
    )
    const readded = await call(t, owner, 'PATCH', `/api/v1/collections/${coll.id}`, {
      fields: [
        ...without,
        { key: 'region', label: 'Home region', type: 'text', classification: 'personal' },
      ],
      expectedVersion: 2,
    })
    expectStatus(readded, 200)
    await addRecords(t, owner, coll.id, times(5, { region: 'Secret Street 1' }))
    const data = await dashboardData(t, owner, dashboard.id)
    expect(data.widgets[0]).toMatchObject({
      status: 'error',
      error: { code: 'DATA_WIDGET_FIELD_PROTECTED', field: 'region' },
    })
    expect(data.widgets[0]?.groups).toBeUndefined()
    expect(JSON.stringify(data)).not.toContain('Secret Street')
  })
})
