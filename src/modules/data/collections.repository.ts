// DATA-1, DATA-4: collection and schema-history rows. Every query names the tenant (row-level
// security is the second lock, not the only one).
import type { Insertable } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type {
  CollectionRow,
  CollectionsTable,
  CollectionVersionRow,
  CollectionVersionsTable,
} from './collections.table.ts'

export async function insertCollection(
  trx: Trx,
  row: Insertable<CollectionsTable>,
): Promise<CollectionRow> {
  return trx.insertInto('collections').values(row).returningAll().executeTakeFirstOrThrow()
}

export async function insertCollectionVersion(
  trx: Trx,
  row: Insertable<CollectionVersionsTable>,
): Promise<void> {
  await trx.insertInto('collection_versions').values(row).execute()
}

/**
 * One live (not locked) collection. `lock`: `share` keeps its schema from changing until the
 * transaction ends (record writes), `update` makes schema changes and deletion take turns.
 */
export async function findLiveCollection(
  trx: Trx,
  tenantId: string,
  collectionId: string,
  lock: 'share' | 'update' | null = null,
): Promise<CollectionRow | undefined> {
  let query = trx
    .selectFrom('collections')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', collectionId)
    .where('deleted_at', 'is', null)
  if (lock === 'share') query = query.forShare()
  if (lock === 'update') query = query.forUpdate()
  return query.executeTakeFirst()
}

/** Whether a collection exists at all, locked or not (grants may name a locked one). */
export async function collectionExists(
  trx: Trx,
  tenantId: string,
  collectionId: string,
): Promise<boolean> {
  const row = await trx
    .selectFrom('collections')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', collectionId)
    .executeTakeFirst()
  return row !== undefined
}

/** Live collections by name; only those in `ids` unless null. */
export async function listLiveCollections(
  trx: Trx,
  tenantId: string,
  ids: readonly string[] | null,
): Promise<CollectionRow[]> {
  if (ids !== null && ids.length === 0) return []
  let query = trx
    .selectFrom('collections')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('deleted_at', 'is', null)
  if (ids !== null) query = query.where('id', 'in', ids)
  return query.orderBy('name_normalized').orderBy('id').execute()
}

export async function updateCollection(
  trx: Trx,
  tenantId: string,
  collectionId: string,
  set: {
    name?: string
    name_normalized?: string
    description?: string | null
    schema_version?: number
    fields?: string
    subject_field?: string | null
  },
): Promise<CollectionRow> {
  return trx
    .updateTable('collections')
    .set({ ...set, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', collectionId)
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function listCollectionVersions(
  trx: Trx,
  tenantId: string,
  collectionId: string,
): Promise<CollectionVersionRow[]> {
  return trx
    .selectFrom('collection_versions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('collection_id', '=', collectionId)
    .orderBy('version', 'desc')
    .execute()
}

/** Locked collections whose lock ran out, oldest first, held for this transaction. */
export async function collectionsDueForPurge(
  trx: Trx,
  tenantId: string,
  now: Date,
  limit: number,
  onlyId?: string,
): Promise<string[]> {
  let query = trx
    .selectFrom('collections')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('deleted_at', 'is not', null)
    .where('purge_after', '<=', now)
  if (onlyId !== undefined) query = query.where('id', '=', onlyId)
  const rows = await query
    .orderBy('purge_after')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute()
  return rows.map((r) => r.id)
}

/** Deletes a collection for good; its records and schema history go with it (ON DELETE CASCADE). */
export async function deleteCollection(
  trx: Trx,
  tenantId: string,
  collectionId: string,
): Promise<void> {
  await trx
    .deleteFrom('collections')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', collectionId)
    .execute()
}
