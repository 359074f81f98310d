// DATA-1: no dashboard figure computed from fewer records than the threshold is shown, and what
// is hidden cannot be worked out from what is shown (a total minus the shown groups never leaves
// fewer records than the threshold).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedIn,
  type SignedUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { newOrg } from '../access/groups.test-support.ts'
import {
  addRecords,
  computeOne,
  countWidget,
  groupsOf,
  insertPlainRecords,
  newDashboard,
  newSalesCollection,
  times,
} from './dashboards.test-support.ts'
import { call, expectStatus } from './data.test-support.ts'

let t: TestApp
let org: SignedUp
let owner: SignedIn
let tenantId: string

beforeAll(async () => {
  t = await createTestApp()
  ;({ org, owner } = await newOrg(t))
  tenantId = org.tenant.id
})
afterAll(() => t.close())

async function collectionWith(regions: Record<string, number>, amount = 10): Promise<string> {
  const coll = await newSalesCollection(t, owner)
  await addRecords(
    t,
    owner,
    coll.id,
    Object.entries(regions).flatMap(([region, n]) => times(n, { region, amount })),
  )
  return coll.id
}

describe('small-group suppression', () => {
  it('DATA-1: groups below the threshold show no value, no label, only how many were left out', async () => {
    const id = await collectionWith({ alpha: 7, beta: 6, gamma: 4, delta: 1 })
    const dashboard = await newDashboard(t, owner, [
      countWidget(id, { groupBy: 'region' }),
      countWidget(id, { aggregate: 'sum', field: 'amount', groupBy: 'region' }),
    ])
    const res = await call(t, owner, 'GET', `/api/v1/dashboards/${dashboard.id}/data`)
    expectStatus(res, 200)
    const [count, sum] = res.json().widgets
    expect(groupsOf(count)).toEqual({ alpha: 7, beta: 6 })
    expect(count.suppressed).toBe(2)
    expect(groupsOf(sum)).toEqual({ alpha: 70, beta: 60 })
    expect(sum.suppressed).toBe(2)
    // The small groups' labels never leave the server.
    expect(res.body).not.toContain('gamma')
    expect(res.body).not.toContain('delta')
  })

  it('DATA-1: counts cannot single out a person: a total minus the shown groups leaves none or enough', async () => {
    // One person has a rare value. With only that group hidden, the total minus the shown groups
    // would say "1": the smallest shown group is hidden with it.
    const id = await collectionWith({ common: 7, usual: 6, rare: 1 })
    const total = await computeOne(t, owner, countWidget(id))
    const grouped = await computeOne(t, owner, countWidget(id, { groupBy: 'region' }))
    expect(total.value).toBe(14)
    expect(groupsOf(grouped)).toEqual({ common: 7 })
    expect(grouped.suppressed).toBe(2)
    const hidden =
      (total.value as number) - Object.values(groupsOf(grouped)).reduce((a, b) => a + b, 0)
    expect(hidden === 0 || hidden >= grouped.threshold).toBe(true)
    // The same over time: one record in a month of its own.
    const coll = await newSalesCollection(t, owner)
    await addRecords(t, owner, coll.id, [
      ...times(5, { sold_on: '2026-01-10' }),
      ...times(6, { sold_on: '2026-02-10' }),
      { sold_on: '2026-03-10' },
    ])
    const months = await computeOne(
      t,
      owner,
      countWidget(coll.id, { interval: 'month', timeField: 'sold_on' }),
    )
    expect(groupsOf(months)).toEqual({ '2026-02-01': 6 })
    expect(months.suppressed).toBe(2)
  })

  it('DATA-1: an ungrouped figure from fewer records than the threshold shows no value', async () => {
    const id = await collectionWith({ few: 4 })
    const dashboard = await newDashboard(
      t,
      owner,
      (['count', 'sum', 'avg', 'min', 'max'] as const).map((aggregate) =>
        countWidget(id, aggregate === 'count' ? {} : { aggregate, field: 'amount' }),
      ),
    )
    const res = await call(t, owner, 'GET', `/api/v1/dashboards/${dashboard.id}/data`)
    for (const w of res.json().widgets) {
      expect(w).toMatchObject({ status: 'ok', value: null, suppressed: 1, threshold: 5 })
    }
  })

  it('DATA-1: sums, averages and extremes count only the records holding a number', async () => {
    const coll = await newSalesCollection(t, owner)
    await addRecords(t, owner, coll.id, [...times(4, { amount: 5 }), ...times(3, { region: 'x' })])
    const avg = await computeOne(
      t,
      owner,
      countWidget(coll.id, { aggregate: 'avg', field: 'amount' }),
    )
    expect(avg).toMatchObject({ value: null, suppressed: 1 })
    const count = await computeOne(t, owner, countWidget(coll.id))
    expect(count.value).toBe(7)
  })

  it('DATA-1: a widget may ask for a higher threshold, and it is honoured', async () => {
    const id = await collectionWith({ alpha: 9, beta: 7 })
    const strict = await computeOne(
      t,
      owner,
      countWidget(id, { groupBy: 'region', minGroupSize: 8 }),
    )
    expect(strict.threshold).toBe(8)
    expect(groupsOf(strict)).toEqual({})
    // beta (7) is below 8, and alone it would be recoverable from the total: alpha goes too.
    expect(strict.suppressed).toBe(2)
    const total = await computeOne(t, owner, countWidget(id, { minGroupSize: 17 }))
    expect(total).toMatchObject({ threshold: 17, value: null, suppressed: 1 })
  })

  it('DATA-1: a lower threshold than the deployment’s is refused when saving, naming the widget', async () => {
    const id = await collectionWith({ alpha: 5 })
    const created = await call(t, owner, 'POST', '/api/v1/dashboards', {
      name: 'Lenient',
      widgets: [countWidget(id), countWidget(id, { minGroupSize: 2 })],
    })
    expectStatus(created, 422)
    expect(created.json().error).toMatchObject({
      code: 'DATA_WIDGET_THRESHOLD_TOO_LOW',
      details: { widget: 1, property: 'minGroupSize' },
    })
    const dashboard = await newDashboard(t, owner, [countWidget(id)])
    const changed = await call(t, owner, 'PUT', `/api/v1/dashboards/${dashboard.id}`, {
      name: 'Lenient',
      widgets: [countWidget(id, { minGroupSize: 4 })],
    })
    expectStatus(changed, 422)
    expect(changed.json().error.code).toBe('DATA_WIDGET_THRESHOLD_TOO_LOW')
  })

  it('DATA-1: a deployment that raises its threshold later is honoured by widgets saved before', async () => {
    const id = await collectionWith({ alpha: 6 })
    const saved = countWidget(id, { minGroupSize: 5 })
    const dashboard = await newDashboard(t, owner, [saved])
    const before = t.config.data.minGroupSize
    t.config.data.minGroupSize = 7
    try {
      const res = await call(t, owner, 'GET', `/api/v1/dashboards/${dashboard.id}/data`)
      expect(res.json().widgets[0]).toMatchObject({ status: 'ok', threshold: 7, value: null })
    } finally {
      t.config.data.minGroupSize = before
    }
  })

  it('DATA-1: at most 100 groups are shown, the largest; the rest are counted as omitted', async () => {
    const coll = await newSalesCollection(t, owner)
    // 110 regions of 5..7 records and 3 regions of 2.
    const values = [
      ...Array.from({ length: 110 }, (_, i) => times(5 + (i % 3), { region: `r${i}` })).flat(),
      ...['x', 'y', 'z'].flatMap((region) => times(2, { region })),
    ]
    await insertPlainRecords(t, tenantId, coll.id, values)
    const grouped = await computeOne(t, owner, countWidget(coll.id, { groupBy: 'region' }))
    expect(grouped.groups).toHaveLength(100)
    expect(grouped.omitted).toBe(10)
    expect(grouped.suppressed).toBe(3)
    const shown = (grouped.groups ?? []).map((g) => g.value)
    expect(Math.min(...shown)).toBeGreaterThanOrEqual(5)
    expect(shown).toEqual([...shown].sort((a, b) => b - a))
  })
})
