// DATA-4: the "recently deleted" view for admins (data.manage): every locked collection and
// record with the time it will be purged, newest first. Restoring is done on the item itself
// (collections.service.ts, records.service.ts).
import type { ServiceContext } from '../../context.ts'
import { isUuid, withTenant } from '../../db/tenant.ts'
import { assertCan } from '../access/permissions.ts'
import type { Principal } from '../identity/sessions.service.ts'
import { DataErrors } from './errors.ts'
import { listDeleted } from './recently-deleted.repository.ts'

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

const POSITION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/

function encodeCursor(position: string, id: string): string {
  return Buffer.from(JSON.stringify(['deleted', position, id]), 'utf8').toString('base64url')
}

function decodeCursor(text: string): { position: string; id: string } {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    throw DataErrors.DATA_CURSOR_INVALID()
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    parsed[0] !== 'deleted' ||
    typeof parsed[1] !== 'string' ||
    !POSITION.test(parsed[1]) ||
    Number.isNaN(Date.parse(parsed[1])) ||
    typeof parsed[2] !== 'string' ||
    !isUuid(parsed[2])
  ) {
    throw DataErrors.DATA_CURSOR_INVALID()
  }
  return { position: parsed[1], id: parsed[2].toLowerCase() }
}

export async function listRecentlyDeleted(
  ctx: ServiceContext,
  principal: Principal,
  cursor: string | undefined,
  limit: number,
): Promise<{ items: DeletedItem[]; nextCursor: string | null }> {
  assertCan(principal, 'data.manage')
  const { tenantId } = principal
  const after = cursor === undefined ? null : decodeCursor(cursor)
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
    nextCursor: rows.length > limit && last ? encodeCursor(last.position, last.id) : null,
  }
}
