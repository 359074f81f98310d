// SEC-3: whatever a dashboard body holds (wrong types, unknown properties, injection strings in
// field keys, impossible dates, oversize bodies, another organisation's ids), the answer is a
// clear 4xx with a stable code naming the widget and the field, never a 500, and nothing is saved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedIn,
  type SignedUp,
  signInBearer,
  signUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { newOrg } from '../access/groups.test-support.ts'
import type { Collection } from './collections.service.ts'
import {
  addRecords,
  computeOne,
  countWidget,
  insertPlainRecords,
  newDashboard,
  newSalesCollection,
  times,
} from './dashboards.test-support.ts'
import type { WidgetDefinition } from './dashboards.widgets.ts'
import { call, expectStatus } from './data.test-support.ts'

let t: TestApp
let org: SignedUp
let owner: SignedIn
let tenantId: string
let sales: Collection
let foreign: Collection

beforeAll(async () => {
  t = await createTestApp()
  ;({ org, owner } = await newOrg(t))
  tenantId = org.tenant.id
  sales = await newSalesCollection(t, owner)
  foreign = await newSalesCollection(t, await signInBearer(t.app, await signUp(t.app)))
})
afterAll(() => t.close())

const post = (widgets: unknown[], extra: Record<string, unknown> = {}) =>
  call(t, owner, 'POST', '/api/v1/dashboards', { name: 'Hostile', widgets, ...extra })

const w = (extra: Record<string, unknown>) => ({
  title: 'W',
  collectionId: sales.id,
  aggregate: 'count',
  ...extra,
})

const valid = (extra: Partial<WidgetDefinition> = {}) =>
  countWidget(sales.id, { title: 'W', ...extra })

async function dashboardCount(): Promise<number> {
  return (await call(t, owner, 'GET', '/api/v1/dashboards')).json().dashboards.length
}

describe('hostile dashboard input', () => {
  it('SEC-3: wrong types, unknown properties and bad shapes get 400 REQUEST_INVALID', async () => {
    const before = await dashboardCount()
    for (const body of [
      { name: 'x', widgets: 'all' },
      { name: 42, widgets: [] },
      { name: 'x', widgets: [], owner: 'me' },
      { name: 'x', widgets: [w({ aggregate: 'median' })] },
      { name: 'x', widgets: [w({ aggregate: 'count', extra: 1 })] },
      { name: 'x', widgets: [w({ collectionId: 'not-a-uuid' })] },
      { name: 'x', widgets: [w({ collectionId: sales.id.toUpperCase() })] },
      { name: 'x', widgets: [w({ interval: 'hour' })] },
      { name: 'x', widgets: [w({ range: { lastDays: 0 } })] },
      { name: 'x', widgets: [w({ range: { lastDays: '7' } })] },
      { name: 'x', widgets: [w({ range: { from: '01/02/2026' } })] },
      { name: 'x', widgets: [w({ minGroupSize: 5.5 })] },
      { name: 'x', widgets: [w({ title: 'Line\nbreak' })] },
      { name: 'x', widgets: [w({ title: 'evil\u202eoverride' })] },
      { name: 'x\u0000', widgets: [] },
      { name: 'x', widgets: [], refreshSeconds: 5 },
      { name: 'x', widgets: Array.from({ length: 51 }, () => w({})) },
    ]) {
      const res = await call(t, owner, 'POST', '/api/v1/dashboards', body)
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400)
      expect(res.json().error.code).toBe('REQUEST_INVALID')
    }
    expect(await dashboardCount()).toBe(before)
  })

  it('SEC-3: injection strings as field keys are unknown fields, named back as text', async () => {
    for (const key of [
      "amount'); DROP TABLE records; --",
      'amount->>0',
      '=cmd|calc',
      '日本語',
      'ＡＭＯＵＮＴ',
    ]) {
      const res = await post([w({}), w({ aggregate: 'sum', field: key })])
      expectStatus(res, 422)
      expect(res.json().error).toMatchObject({
        code: 'DATA_WIDGET_FIELD_UNKNOWN',
        details: { widget: 1, property: 'field', field: key },
      })
    }
    const grouped = await post([w({ groupBy: "region' OR '1'='1" })])
    expect(grouped.json().error.details).toMatchObject({ widget: 0, field: "region' OR '1'='1" })
    // The records are all still there.
    await addRecords(t, owner, sales.id, times(5, { region: 'north' }))
    expect((await computeOne(t, owner, valid({ title: 'Still here' }))).value).toBe(5)
  })

  it('SEC-3: rules across a widget’s parts are checked, each naming the part at fault', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ aggregate: 'count', field: 'amount' }, 'DATA_WIDGET_INVALID', 'field'],
      [{ aggregate: 'sum' }, 'DATA_WIDGET_INVALID', 'field'],
      [{ aggregate: 'avg', field: 'region' }, 'DATA_WIDGET_FIELD_UNSUITABLE', 'field'],
      [{ groupBy: 'amount' }, 'DATA_WIDGET_FIELD_UNSUITABLE', 'groupBy'],
      [{ groupBy: 'email' }, 'DATA_WIDGET_FIELD_UNSUITABLE', 'groupBy'],
      [{ interval: 'month', timeField: 'region' }, 'DATA_WIDGET_FIELD_UNSUITABLE', 'timeField'],
      [{ interval: 'month', timeField: 'created_at' }, 'DATA_WIDGET_FIELD_UNKNOWN', 'timeField'],
      [{ timeField: 'sold_on' }, 'DATA_WIDGET_INVALID', 'timeField'],
      [{ range: {} }, 'DATA_WIDGET_INVALID', 'range'],
      [{ range: { lastDays: 3, from: '2026-01-01' } }, 'DATA_WIDGET_INVALID', 'range'],
      [{ range: { from: '2026-02-30' } }, 'DATA_WIDGET_INVALID', 'range'],
      [{ range: { from: '0000-01-01' } }, 'DATA_WIDGET_INVALID', 'range'],
      [{ range: { from: '2026-03-01', to: '2026-02-01' } }, 'DATA_WIDGET_INVALID', 'range'],
      [{ title: '   ' }, 'DATA_WIDGET_INVALID', 'title'],
    ]
    for (const [extra, code, property] of cases) {
      const res = await post([w({}), w({}), w(extra)])
      expect(res.statusCode, JSON.stringify(extra)).toBe(422)
      expect(res.json().error).toMatchObject({ code, details: { widget: 2, property } })
    }
  })

  it('AUTHZ-5: another organisation’s collection, or one that never existed, is not found alike', async () => {
    const answers = []
    for (const id of [foreign.id, '00000000-0000-4000-8000-000000000000']) {
      const res = await post([w({ collectionId: id })])
      expectStatus(res, 422)
      answers.push(res.json().error)
    }
    expect(answers[0]).toEqual(answers[1])
    expect(answers[0]).toMatchObject({
      code: 'DATA_WIDGET_COLLECTION_NOT_FOUND',
      details: { widget: 0 },
    })
    expect(JSON.stringify(answers)).not.toContain(foreign.name)
  })

  it('SEC-3, SEC-4: an oversize body gets 413; bad ids in the path get 400', async () => {
    const huge = await call(t, owner, 'POST', '/api/v1/dashboards', {
      name: 'Huge',
      widgets: [],
      description: 'x'.repeat(2_000_000),
    })
    expectStatus(huge, 413)
    for (const id of ['1', 'not-a-uuid', "' OR 1=1 --", '%00']) {
      expectStatus(
        await call(t, owner, 'GET', `/api/v1/dashboards/${encodeURIComponent(id)}/data`),
        400,
      )
    }
  })

  it('SEC-3: unicode and formula-looking text is stored and shown as it came', async () => {
    const dashboard = await newDashboard(
      t,
      owner,
      [valid({ title: '=HYPERLINK("http://x")' }), valid({ title: 'Umsatz 📈 Straße' })],
      "=cmd|' /C calc'!A0 — 売上",
    )
    expect(dashboard.name).toBe("=cmd|' /C calc'!A0 — 売上")
    expect(dashboard.widgets.map((x) => x.title)).toEqual([
      '=HYPERLINK("http://x")',
      'Umsatz 📈 Straße',
    ])
    const desc = await call(t, owner, 'PUT', `/api/v1/dashboards/${dashboard.id}`, {
      name: 'x',
      description: 'bad \u0007 bell',
      widgets: [],
    })
    expectStatus(desc, 422)
    expect(desc.json().error.code).toBe('DATA_DASHBOARD_DESCRIPTION_INVALID')
  })

  it('SEC-3: parallel creates and edits answer cleanly, none with a 500', async () => {
    const dashboard = await newDashboard(t, owner, [])
    const answers = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => post([w({})], { name: `P${i}` })),
      ...Array.from({ length: 5 }, (_, i) =>
        call(t, owner, 'PUT', `/api/v1/dashboards/${dashboard.id}`, {
          name: `E${i}`,
          widgets: [w({})],
        }),
      ),
    ])
    expect(answers.every((r) => r.statusCode === 201 || r.statusCode === 200)).toBe(true)
    const after = await call(t, owner, 'GET', `/api/v1/dashboards/${dashboard.id}`)
    expect(after.json().version).toBeGreaterThan(1)
  })

  it('SEC-3: values of the wrong kind stored in the database are left out of figures, never a 500', async () => {
    const coll = await newSalesCollection(t, owner)
    // Written past the records codec, as a buggy import or a manual fix might.
    await insertPlainRecords(t, tenantId, coll.id, [
      ...times(5, { amount: 2, sold_on: '2026-04-02' }),
      { amount: 'lots', sold_on: '2026-02-31' },
      { amount: true, sold_on: 'yesterday' },
      { amount: '1e999', sold_on: '0000-00-00' },
    ])
    const base = { title: 'W', collectionId: coll.id }
    const sum = await computeOne(t, owner, { ...base, aggregate: 'sum', field: 'amount' })
    expect(sum).toMatchObject({ status: 'ok', value: 10 })
    const months = await computeOne(t, owner, {
      ...base,
      aggregate: 'count',
      interval: 'week',
      timeField: 'sold_on',
    })
    // 2026-02-31 rolls into March; the two undated records form one group. Both are too small,
    // and together too few: the week of the five goes with them.
    expect(months).toMatchObject({ status: 'ok', groups: [], suppressed: 3 })
    const ranged = await computeOne(t, owner, {
      ...base,
      aggregate: 'max',
      field: 'amount',
      timeField: 'sold_on',
      range: { from: '2026-01-01', to: '2026-12-31' },
    })
    expect(ranged).toMatchObject({ status: 'ok', value: 2 })
  })
})
