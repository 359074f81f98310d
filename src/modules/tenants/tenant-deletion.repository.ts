// KMS-5, DATA-4: the tenant's deletion state, and the deletion of all its rows. State changes run
// inside withTenant; the sweep's look-up and the row deletion need the owner connection.
import { type Kysely, sql } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Trx } from '../../db/tenant.ts'
import type { TenantRow } from './tenants.table.ts'

/** One tenant by slug, on the owner connection (the operator CLI names tenants by slug). */
export async function findTenantBySlug(
  db: Kysely<Database>,
  slug: string,
): Promise<TenantRow | undefined> {
  return db.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst()
}

/** The tenant's row, locked until the transaction ends: state changes take turns. */
export async function lockTenant(trx: Trx, tenantId: string): Promise<TenantRow | undefined> {
  return trx
    .selectFrom('tenants')
    .selectAll()
    .where('id', '=', tenantId)
    .forUpdate()
    .executeTakeFirst()
}

export async function markPendingDeletion(
  trx: Trx,
  tenantId: string,
  schedule: { requestedAt: Date; dueAt: Date; previous: 'active' | 'suspended' },
): Promise<TenantRow> {
  return trx
    .updateTable('tenants')
    .set({
      status: 'pending_deletion',
      status_before_deletion: schedule.previous,
      deletion_requested_at: schedule.requestedAt,
      deletion_due_at: schedule.dueAt,
      deletion_started_at: null,
      updated_at: schedule.requestedAt,
    })
    .where('id', '=', tenantId)
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function clearPendingDeletion(
  trx: Trx,
  tenantId: string,
  back: 'active' | 'suspended',
): Promise<TenantRow> {
  return trx
    .updateTable('tenants')
    .set({
      status: back,
      status_before_deletion: null,
      deletion_requested_at: null,
      deletion_due_at: null,
      updated_at: new Date(),
    })
    .where('id', '=', tenantId)
    .where('status', '=', 'pending_deletion')
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function markDeletionStarted(trx: Trx, tenantId: string, at: Date): Promise<void> {
  await trx
    .updateTable('tenants')
    .set({ deletion_started_at: at, updated_at: at })
    .where('id', '=', tenantId)
    .where('status', '=', 'pending_deletion')
    .execute()
}

/** Tenants whose deletion delay has passed, oldest due first (owner connection, ids only used). */
export async function listDueDeletions(db: Kysely<Database>, now: Date): Promise<TenantRow[]> {
  return db
    .selectFrom('tenants')
    .selectAll()
    .where('status', '=', 'pending_deletion')
    .where('deletion_due_at', '<=', now)
    .orderBy('deletion_due_at')
    .execute()
}

export interface TenantTableGraph {
  /** Tables of the current schema with a tenant_id column. */
  tables: string[]
  /** Foreign keys between tables of the schema: `child` references `parent`. */
  references: { child: string; parent: string }[]
}

/**
 * Every tenant table and the foreign keys between them, read from the catalogue rather than
 * listed by hand, so a table a later migration adds is deleted with its tenant too.
 */
export async function tenantTableGraph(trx: Trx): Promise<TenantTableGraph> {
  const tables = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
    ORDER BY c.relname`.execute(trx)
  const references = await sql<{ child: string; parent: string }>`
    SELECT ch.relname AS child, pa.relname AS parent FROM pg_constraint k
    JOIN pg_class ch ON ch.oid = k.conrelid
    JOIN pg_class pa ON pa.oid = k.confrelid
    JOIN pg_namespace n ON n.oid = ch.relnamespace
    WHERE k.contype = 'f' AND n.nspname = current_schema()`.execute(trx)
  return { tables: tables.rows.map((r) => r.name), references: references.rows }
}

/** Deletes the tenant's rows from one table; returns how many. */
export async function deleteTenantRows(trx: Trx, table: string, tenantId: string): Promise<number> {
  const result = await sql`
    DELETE FROM ${sql.table(table)} WHERE tenant_id = ${tenantId}::uuid`.execute(trx)
  return Number(result.numAffectedRows ?? 0)
}

/**
 * Turns the tenant row into its tombstone: id, slug, region and the dates stay (the slug is not
 * given to anyone else, and the logs can name the id); the organisation's name goes.
 */
export async function terminateTenant(trx: Trx, tenantId: string, at: Date): Promise<TenantRow> {
  return trx
    .updateTable('tenants')
    .set({
      status: 'terminated',
      name: '',
      status_before_deletion: null,
      deleted_at: at,
      updated_at: at,
    })
    .where('id', '=', tenantId)
    .returningAll()
    .executeTakeFirstOrThrow()
}
