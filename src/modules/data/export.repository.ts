import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'

/**
 * Where a page ends: created_at as UTC text with its microseconds (a JavaScript Date keeps only
 * milliseconds, and a batch of imported records shares one created_at), and the id.
 */
export interface ExportCursor {
  createdAt: string
  id: string
}

/**
 * One page of a collection's live records, oldest first, after `after`. Locked (deleted) records
 * are never read (DATA-4). Keyset order on (created_at, id), so paging stays exact and stable
 * while records are added.
 */
export async function liveRecordsPage(
  trx: Trx,
  tenantId: string,
  collectionId: string,
  after: ExportCursor | null,
  limit: number,
) {
  let query = trx
    .selectFrom('records')
    .select([
      'id',
      'data',
      'sealed',
      sql<string>`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')`.as(
        'created_at_utc',
      ),
    ])
    .where('tenant_id', '=', tenantId)
    .where('collection_id', '=', collectionId)
    .where('deleted_at', 'is', null)
  if (after) {
    query = query.where(
      sql<boolean>`(created_at, id) > ((${after.createdAt}::timestamp AT TIME ZONE 'UTC'), ${after.id}::uuid)`,
    )
  }
  return query.orderBy('created_at', 'asc').orderBy('id', 'asc').limit(limit).execute()
}
