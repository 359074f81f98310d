// DATA-1: dashboard rows, and the collection schemas their widgets are computed against. Every
// query names the tenant (row-level security is the second lock, not the only one).
import { type Insertable, sql, type Updateable } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { DashboardRow, DashboardsTable } from './dashboards.table.ts'
import type { FieldDefinition } from './fields.ts'

export async function lockDashboardCreation(trx: Trx, tenantId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`dashboards/${tenantId}`}, 0))`.execute(
    trx,
  )
}

export async function countDashboards(trx: Trx, tenantId: string): Promise<number> {
  const row = await trx
    .selectFrom('dashboards')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function insertDashboard(
  trx: Trx,
  row: Insertable<DashboardsTable>,
): Promise<DashboardRow> {
  return trx.insertInto('dashboards').values(row).returningAll().executeTakeFirstOrThrow()
}

/** One dashboard; `lock` holds it until the transaction ends (changes take turns). */
export async function findDashboard(
  trx: Trx,
  tenantId: string,
  dashboardId: string,
  lock = false,
): Promise<DashboardRow | undefined> {
  let query = trx
    .selectFrom('dashboards')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', dashboardId)
  if (lock) query = query.forUpdate()
  return query.executeTakeFirst()
}

/** Dashboards by name; only those in `ids` unless null. */
export async function listDashboards(
  trx: Trx,
  tenantId: string,
  ids: readonly string[] | null,
): Promise<DashboardRow[]> {
  if (ids !== null && ids.length === 0) return []
  let query = trx.selectFrom('dashboards').selectAll().where('tenant_id', '=', tenantId)
  if (ids !== null) query = query.where('id', 'in', ids)
  return query.orderBy('name').orderBy('id').execute()
}

/** The dashboards of `ids` that exist in the organisation, in no particular order. */
export async function existingDashboardIds(
  trx: Trx,
  tenantId: string,
  ids: readonly string[],
): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await trx
    .selectFrom('dashboards')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute()
  return rows.map((r) => r.id)
}

export async function updateDashboard(
  trx: Trx,
  tenantId: string,
  dashboardId: string,
  set: Updateable<DashboardsTable>,
): Promise<DashboardRow> {
  return trx
    .updateTable('dashboards')
    .set({ ...set, version: sql<number>`version + 1`, updated_at: sql<Date>`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', dashboardId)
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** Deletes the dashboard; its kiosk-link attachments go with it (foreign key cascade). */
export async function deleteDashboard(
  trx: Trx,
  tenantId: string,
  dashboardId: string,
): Promise<boolean> {
  const result = await trx
    .deleteFrom('dashboards')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', dashboardId)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

export interface CollectionSchema {
  id: string
  name: string
  fields: FieldDefinition[]
}

/**
 * The current schemas of the live collections among `ids`, for computing widgets. Locked
 * (deleted) collections are left out: their widgets are unavailable until a restore.
 */
export async function liveCollectionSchemas(
  trx: Trx,
  tenantId: string,
  ids: readonly string[],
): Promise<CollectionSchema[]> {
  if (ids.length === 0) return []
  return trx
    .selectFrom('collections')
    .select(['id', 'name', 'fields'])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .where('deleted_at', 'is', null)
    .execute()
}
