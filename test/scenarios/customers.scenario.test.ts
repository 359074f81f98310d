// DATA-1, DATA-4, AUTHZ-2, AUTHZ-3, KMS-2: the whole tenant-data story over real HTTP, as an
// organisation would live it: model its customers (personal fields encrypted, e-mail as data
// subject), import them from a CSV file, build a dashboard, share it with a group and with a kiosk
// screen, delete and restore a customer. RAMPART_SCENARIO_ROWS (default 1,000) sets the size of
// the import; it was run with 100,000 on both databases (see docs/data-import.md).
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMember, addUser, createGroup } from '../../src/modules/access/groups.test-support.ts'
import { createTestApp, type SignedIn, signInBearer, signUp, type TestApp } from '../support/app.ts'

const ROWS = Number(process.env.RAMPART_SCENARIO_ROWS || 1000)
const REGIONS = ['north', 'south', 'east', 'west']
const PLANS = ['free', 'team', 'enterprise']

let t: TestApp
let base: string
let owner: SignedIn

beforeAll(async () => {
  t = await createTestApp({ env: { RAMPART_REQUEST_TIMEOUT_MS: '600000' } })
  await t.app.listen({ host: '127.0.0.1', port: 0 })
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
  const org = await signUp(t.app)
  owner = await signInBearer(t.app, org)
  orgOf.org = org
})

afterAll(async () => {
  await t?.close()
})

const orgOf: { org?: Awaited<ReturnType<typeof signUp>> } = {}

async function api(
  who: SignedIn | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(who ? who.authorization : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}

function customersCsv(rows: number): string {
  const lines = ['email,name,phone,region,plan,mrr,signed_up']
  for (let i = 0; i < rows; i++) {
    const month = String((i % 12) + 1).padStart(2, '0')
    lines.push(
      [
        `customer-${i}@example.org`,
        `"Customer ${i}, Ltd."`,
        `+44 20 7946 ${String(i % 10_000).padStart(4, '0')}`,
        REGIONS[i % REGIONS.length],
        PLANS[i % PLANS.length],
        String((i % 50) * 10),
        `2026-${month}-15`,
      ].join(','),
    )
  }
  // Two rows the schema refuses: a bad e-mail address, and a plan that is not an option.
  lines.push('not-an-email,Bad Row,,north,team,10,2026-01-01')
  lines.push('bad-plan@example.org,Bad Plan,,north,platinum,10,2026-01-01')
  return `${lines.join('\n')}\n`
}

describe('tenant data, end to end', () => {
  it(`DATA-1: model customers, import ${ROWS} rows from CSV, dashboard, group share, kiosk screen, delete and restore`, async () => {
    // 1. Model the customers: personal fields encrypted (KMS-2), e-mail as the data subject.
    const created = await api(owner, 'POST', '/api/v1/collections', {
      name: 'Customers',
      fields: [
        {
          key: 'email',
          label: 'E-mail',
          type: 'email',
          classification: 'personal',
          required: true,
        },
        { key: 'name', label: 'Name', type: 'text', classification: 'personal', required: true },
        { key: 'phone', label: 'Phone', type: 'text', classification: 'sensitive' },
        {
          key: 'region',
          label: 'Region',
          type: 'enum',
          classification: 'public',
          options: REGIONS,
        },
        { key: 'plan', label: 'Plan', type: 'enum', classification: 'internal', options: PLANS },
        { key: 'mrr', label: 'MRR', type: 'number', classification: 'internal' },
        { key: 'signed_up', label: 'Signed up', type: 'date', classification: 'public' },
      ],
      subjectField: 'email',
    })
    expect(created.status, JSON.stringify(created.json)).toBe(201)
    const collectionId = created.json.id as string

    // 2. Import the CSV file, streamed over HTTP.
    const began = performance.now()
    const imported = await fetch(`${base}/api/v1/collections/${collectionId}/import`, {
      method: 'POST',
      headers: { ...owner.authorization, 'content-type': 'text/csv' },
      body: customersCsv(ROWS),
    })
    const report = (await imported.json()) as Record<string, unknown>
    const seconds = (performance.now() - began) / 1000
    expect(imported.status, JSON.stringify(report).slice(0, 500)).toBe(200)
    expect(report).toMatchObject({ received: ROWS + 2, imported: ROWS, rejected: 2 })
    const issues = report.issues as { row: number; field: string }[]
    expect(issues.map((i) => [i.row, i.field])).toEqual([
      [ROWS + 1, 'email'],
      [ROWS + 2, 'plan'],
    ])
    console.info(`imported ${ROWS} CSV rows in ${seconds.toFixed(1)} s over HTTP`)

    // 3. A dashboard over the customers.
    const dashboard = await api(owner, 'POST', '/api/v1/dashboards', {
      name: 'Customers at a glance',
      widgets: [
        { title: 'Customers by region', collectionId, aggregate: 'count', groupBy: 'region' },
        { title: 'MRR by plan', collectionId, aggregate: 'sum', field: 'mrr', groupBy: 'plan' },
        {
          title: 'Sign-ups by month',
          collectionId,
          aggregate: 'count',
          interval: 'month',
          timeField: 'signed_up',
        },
      ],
    })
    expect(dashboard.status, JSON.stringify(dashboard.json)).toBe(201)
    const dashboardId = dashboard.json.id as string
    const results = await api(owner, 'GET', `/api/v1/dashboards/${dashboardId}/data`)
    expect(results.status).toBe(200)
    const widgets = results.json.widgets as { groups: { label?: string; value: number }[] }[]
    const byRegion = widgets[0]?.groups ?? []
    expect(byRegion.reduce((sum, g) => sum + g.value, 0)).toBe(ROWS)
    expect(byRegion.map((g) => g.label).sort()).toEqual([...REGIONS].sort())

    // 4. Share it with a group: a member of it sees the figures, never the records (AUTHZ-2).
    const org = orgOf.org as Awaited<ReturnType<typeof signUp>>
    const member = await addUser(t, org, 'member')
    const groupId = await createGroup(t, owner, 'Sales')
    await addMember(t, owner, groupId, member.id)
    expect((await api(member.session, 'GET', `/api/v1/dashboards/${dashboardId}`)).status).toBe(404)
    const granted = await api(owner, 'POST', `/api/v1/groups/${groupId}/grants`, {
      resourceType: 'dashboard',
      resourceId: dashboardId,
      permission: 'view',
    })
    expect(granted.status).toBe(201)
    const seen = await api(member.session, 'GET', `/api/v1/dashboards/${dashboardId}/data`)
    expect(seen.status).toBe(200)
    expect(seen.json.widgets).toEqual(results.json.widgets)
    const records = `/api/v1/collections/${collectionId}/records`
    expect((await api(member.session, 'GET', records)).status).toBe(404)

    // 5. And with a kiosk screen (AUTHZ-3): a public page that refreshes itself.
    const link = await api(owner, 'POST', '/api/v1/kiosk-links', {
      name: 'Lobby screen',
      dashboardIds: [dashboardId],
    })
    expect(link.status, JSON.stringify(link.json)).toBe(201)
    const page = await fetch(`${base}/kiosk/${link.json.token as string}`)
    const html = await page.text()
    expect(page.status).toBe(200)
    expect(html).toContain('Customers by region')
    expect(html).toContain('http-equiv="refresh"')
    expect(html).not.toContain('customer-1@example.org')

    // 6. Delete one customer, found by the blind index (DATA-4): gone from lists and figures,
    // listed as recently deleted, and back after a restore.
    const subject = encodeURIComponent('Customer-1@Example.org')
    const found = await api(owner, 'GET', `${records}?subject=${subject}`)
    const [customer] = found.json.records as { id: string; values: Record<string, unknown> }[]
    expect(customer?.values).toMatchObject({ email: 'customer-1@example.org', region: 'south' })
    const recordId = (customer as { id: string }).id
    expect((await api(owner, 'DELETE', `${records}/${recordId}`)).status).toBe(200)
    expect((await api(owner, 'GET', `${records}/${recordId}`)).status).toBe(404)
    expect((await api(owner, 'GET', `${records}?subject=${subject}`)).json.records).toEqual([])
    const afterDelete = await api(owner, 'GET', `/api/v1/dashboards/${dashboardId}/data`)
    const regions = (afterDelete.json.widgets as typeof widgets)[0]?.groups ?? []
    expect(regions.reduce((sum, g) => sum + g.value, 0)).toBe(ROWS - 1)
    const deleted = await api(owner, 'GET', '/api/v1/recently-deleted')
    expect((deleted.json.items as { id: string }[]).map((i) => i.id)).toContain(recordId)
    expect((await api(owner, 'POST', `${records}/${recordId}/restore`)).status).toBe(200)
    const back = await api(owner, 'GET', `${records}/${recordId}`)
    expect(back.status).toBe(200)
    expect(back.json.values).toEqual(customer?.values)
  })
})
