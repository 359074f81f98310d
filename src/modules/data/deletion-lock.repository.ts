// DATA-4: the deletion lock that collections and records share. A locked row (deleted_at set)
// is invisible everywhere but the restore view until the purge job takes it after purge_after;
// unlocking clears all three columns. Every query names the tenant. Lock, restore and purge all
// read the database's clock: with each node's own, a restore on a node whose clock lags could
// slip in between the batches of a purge.
import { type Selectable, sql } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Trx } from '../../db/tenant.ts'

type Lockable = 'collections' | 'records'

/** Locks the row for `lockDays` (the configured deletion lock); returns its purge time. */
export async function lockRow(
  trx: Trx,
  table: Lockable,
  tenantId: string,
  id: string,
  deletedBy: string | null,
  lockDays: number,
): Promise<Date> {
  const row = await trx
    .updateTable(table as Lockable)
    .set({
      deleted_at: sql<Date>`now()`,
      deleted_by: deletedBy,
      purge_after: sql<Date>`now() + make_interval(days => ${lockDays}::int)`,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returning('purge_after')
    .executeTakeFirstOrThrow()
  return row.purge_after as Date
}

/** A locked row still before its purge time, held until the transaction ends; past it, the purge's. */
export async function findLockedRow<T extends Lockable>(
  trx: Trx,
  table: T,
  tenantId: string,
  id: string,
): Promise<Selectable<Database[T]> | undefined> {
  const row = await trx
    .selectFrom(table as Lockable)
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('deleted_at', 'is not', null)
    .where('purge_after', '>', sql<Date>`now()`)
    .forUpdate()
    .executeTakeFirst()
  return row as Selectable<Database[T]> | undefined
}

/**
 * Clears the lock and returns the row. `touch` also stamps updated_at: a collection's restore
 * counts as a change of the collection, while a record's updated_at tells of its values only.
 */
export async function unlockRow<T extends Lockable>(
  trx: Trx,
  table: T,
  tenantId: string,
  id: string,
  touch: boolean,
): Promise<Selectable<Database[T]>> {
  const row = await trx
    .updateTable(table as Lockable)
    .set({
      deleted_at: null,
      deleted_by: null,
      purge_after: null,
      ...(touch ? { updated_at: new Date() } : {}),
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  return row as Selectable<Database[T]>
}
