// DATA-4: locked (deleted, not yet purged) collections and records of a tenant, newest first.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'

export interface DeletedRow {
  kind: 'collection' | 'record'
  id: string
  collection_id: string
  collection_name: string
  collection_deleted: boolean
  deleted_at: Date
  deleted_by: string | null
  purge_after: Date
  /** deleted_at in UTC with microseconds: the cursor's position (a Date would drop them). */
  position: string
}

/** One page of locked items, ordered by deletion time then id, both descending. */
export async function listDeleted(
  trx: Trx,
  tenantId: string,
  after: { position: string; id: string } | null,
  limit: number,
): Promise<DeletedRow[]> {
  const cursor = after
    ? sql`WHERE (d.deleted_at, d.id) < (${after.position}::timestamptz, ${after.id}::uuid)`
    : sql``
  const { rows } = await sql<DeletedRow>`
    SELECT d.*, to_char(d.deleted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position
    FROM (
      SELECT 'collection' AS kind, c.id, c.id AS collection_id, c.name AS collection_name,
        true AS collection_deleted, c.deleted_at, c.deleted_by, c.purge_after
      FROM collections c
      WHERE c.tenant_id = ${tenantId}::uuid AND c.deleted_at IS NOT NULL
      UNION ALL
      SELECT 'record' AS kind, r.id, r.collection_id, c.name AS collection_name,
        c.deleted_at IS NOT NULL AS collection_deleted, r.deleted_at, r.deleted_by, r.purge_after
      FROM records r
      JOIN collections c ON c.tenant_id = r.tenant_id AND c.id = r.collection_id
      WHERE r.tenant_id = ${tenantId}::uuid AND r.deleted_at IS NOT NULL
    ) d
    ${cursor}
    ORDER BY d.deleted_at DESC, d.id DESC
    LIMIT ${limit + 1}`.execute(trx)
  return rows
}
