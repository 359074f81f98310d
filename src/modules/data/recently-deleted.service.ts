// DATA-4: the "recently deleted" view for admins (data.manage): every locked collection and
// record with the time it will be purged, newest first. Restoring is done on the item itself
// (collections.service.ts, records.service.ts).
import type { ServiceContext } from '../../context.ts'
import { withTenant } from '../../db/tenant.ts'
import { assertCan } from '../access/permissions.ts'
import type { Principal } from '../identity/sessions.service.ts'
import { decodePageCursor, encodePageCursor } from './cursor.ts'
import { listDeleted } from './recently-deleted.repository.ts'
import { isCursorTimestamp } from './records.codec.ts'

export interface DeletedItem {
  type: 'collection' | 'record'
  id: string
  collectionId: string
  collectionName: string
  /** A record of a deleted collection comes back only once its collection is restored. */
  collectionDeleted: boolean
  deletedAt: string
  deletedBy: string | null
  purgeAfter: string
}

const CURSOR_TAG = 'deleted'

/** A cursor's position: a deletion time as the database prints it, to the microsecond. */
const isPosition = (position: unknown): position is string =>
  typeof position === 'string' && isCursorTimestamp(position)

export async function listRecentlyDeleted(
  ctx: ServiceContext,
  principal: Principal,
  cursor: string | undefined,
  limit: number,
): Promise<{ items: DeletedItem[]; nextCursor: string | null }> {
  assertCan(principal, 'data.manage')
  const { tenantId } = principal
  const after = cursor === undefined ? null : decodePageCursor(cursor, CURSOR_TAG, isPosition)
  const rows = await withTenant(ctx.db, tenantId, (trx) => listDeleted(trx, tenantId, after, limit))
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    items: page.map((row) => ({
      type: row.kind,
      id: row.id,
      collectionId: row.collection_id,
      collectionName: row.collection_name,
      collectionDeleted: row.collection_deleted,
      deletedAt: row.deleted_at.toISOString(),
      deletedBy: row.deleted_by,
      purgeAfter: row.purge_after.toISOString(),
    })),
    nextCursor:
      rows.length > limit && last ? encodePageCursor(CURSOR_TAG, last.position, last.id) : null,
  }
}
