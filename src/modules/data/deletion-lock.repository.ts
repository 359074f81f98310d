// DATA-4: the deletion lock that collections and records share. A locked row (deleted_at set)
// is invisible everywhere but the restore view until the purge job takes it after purge_after;
// unlocking clears all three columns. Every query names the tenant.
import type { Selectable } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Trx } from '../../db/tenant.ts'

type Lockable = 'collections' | 'records'

/** The purge time of a row locked now, `lockDays` (the configured deletion lock) from now. */
export function purgeAfterFromNow(lockDays: number): Date {
  return new Date(Date.now() + lockDays * 86_400_000)
}

export async function lockRow(
  trx: Trx,
  table: Lockable,
  tenantId: string,
  id: string,
  deletedBy: string | null,
  purgeAfter: Date,
): Promise<void> {
  await trx
    .updateTable(table)
    .set({ deleted_at: new Date(), deleted_by: deletedBy, purge_after: purgeAfter })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute()
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
