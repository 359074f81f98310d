// DATA-1 test support for dashboards and kiosk links: a sales collection with fields of every
// type and classification, records made through the records API, dashboards and grants made
// through theirs.
import { randomUUID } from 'node:crypto'
import type { SignedIn, TestApp } from '../../../test/support/app.ts'
import { withTenant } from '../../db/tenant.ts'
import type { FieldInput } from './collections.schema.ts'
import type { Dashboard, DashboardResults, WidgetResult } from './dashboards.service.ts'
import type { WidgetDefinition } from './dashboards.widgets.ts'
import { call, expectStatus, newCollection, newRecord } from './data.test-support.ts'
import type { RecordValues } from './records.codec.ts'
import { insertRecords } from './records.repository.ts'
import type { PlainValues } from './records.table.ts'

export const SALES_FIELDS: FieldInput[] = [
  { key: 'region', label: 'Region', type: 'text', classification: 'public' },
  {
    key: 'product',
    label: 'Product',
    type: 'enum',
    classification: 'internal',
    options: ['basic', 'plus', 'pro'],
  },
  { key: 'amount', label: 'Amount', type: 'number', classification: 'internal' },
  { key: 'paid', label: 'Paid', type: 'boolean', classification: 'internal' },
  { key: 'sold_on', label: 'Sold on', type: 'date', classification: 'public' },
  { key: 'customer', label: 'Customer', type: 'text', classification: 'personal' },
  { key: 'diagnosis', label: 'Diagnosis', type: 'text', classification: 'sensitive' },
  { key: 'salary', label: 'Salary', type: 'number', classification: 'sensitive' },
  { key: 'born_on', label: 'Born on', type: 'date', classification: 'personal' },
  { key: 'email', label: 'E-mail', type: 'email', classification: 'internal' },
]

export async function newSalesCollection(t: TestApp, who: SignedIn, name?: string) {
  return newCollection(t, who, {
    ...(name ? { name } : {}),
    fields: SALES_FIELDS,
    subjectField: null,
  })
}

/** Makes the records through the API, a few at a time. */
export async function addRecords(
  t: TestApp,
  who: SignedIn,
  collectionId: string,
  values: readonly RecordValues[],
): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < values.length; i += 8) {
    const batch = values.slice(i, i + 8)
    const made = await Promise.all(batch.map((v) => newRecord(t, who, collectionId, v)))
    ids.push(...made.map((r) => r.id))
  }
  return ids
}

/**
 * Many records of public and internal values at once, through the records repository (the
 * records API makes them one request each): for tests that need hundreds.
 */
export async function insertPlainRecords(
  t: TestApp,
  tenantId: string,
  collectionId: string,
  values: readonly PlainValues[],
): Promise<void> {
  await withTenant(t.database.handle, tenantId, (trx) =>
    insertRecords(
      trx,
      values.map((data) => ({
        id: randomUUID(),
        tenant_id: tenantId,
        collection_id: collectionId,
        data: JSON.stringify(data),
        created_by: null,
        updated_by: null,
        deleted_at: null,
        deleted_by: null,
        purge_after: null,
        subject_index: null,
        subject_key_version: null,
      })),
    ),
  )
}

/** `n` copies of `values`. */
export function times<T extends RecordValues>(n: number, values: T): T[] {
  return Array.from({ length: n }, () => ({ ...values }))
}

/** A count widget over the collection, titled 'Widget' unless `extra` says otherwise. */
export function countWidget(
  collectionId: string,
  extra: Partial<WidgetDefinition> = {},
): WidgetDefinition {
  return { title: 'Widget', collectionId, aggregate: 'count', ...extra }
}

export async function newDashboard(
  t: TestApp,
  who: SignedIn,
  widgets: WidgetDefinition[],
  name = 'Sales',
): Promise<Dashboard> {
  const res = await call(t, who, 'POST', '/api/v1/dashboards', { name, widgets })
  expectStatus(res, 201)
  return res.json() as Dashboard
}

export async function dashboardData(
  t: TestApp,
  who: SignedIn,
  dashboardId: string,
): Promise<DashboardResults> {
  const res = await call(t, who, 'GET', `/api/v1/dashboards/${dashboardId}/data`)
  expectStatus(res, 200)
  return res.json() as DashboardResults
}

/** The one widget of a dashboard made for it, computed now. */
export async function computeOne(
  t: TestApp,
  who: SignedIn,
  widget: WidgetDefinition,
): Promise<WidgetResult> {
  const dashboard = await newDashboard(t, who, [widget], widget.title)
  const data = await dashboardData(t, who, dashboard.id)
  return data.widgets[0] as WidgetResult
}

export async function grantDashboard(
  t: TestApp,
  who: SignedIn,
  groupId: string,
  dashboardId: string,
  permission: 'view' | 'edit',
): Promise<string> {
  const res = await call(t, who, 'POST', `/api/v1/groups/${groupId}/grants`, {
    resourceType: 'dashboard',
    resourceId: dashboardId,
    permission,
  })
  expectStatus(res, 201)
  return res.json().id
}

/** The shown groups as label (or period) -> value. */
export function groupsOf(widget: WidgetResult): Record<string, number> {
  return Object.fromEntries(
    (widget.groups ?? []).map((g) => [
      [g.period, g.label].filter((x) => x !== undefined).join('|'),
      g.value,
    ]),
  )
}
