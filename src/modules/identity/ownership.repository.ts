// IAM-7: the per-organisation lock that serialises every change of who is an owner, the count it
// protects, and ownership transfer rows.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { NewOwnershipTransferRow, TransferStatus } from './ownership.table.ts'

/**
 * Locks the organisation's row until the transaction ends, so role, status and removal changes
 * of one organisation take turns and each sees the last one's result. FOR NO KEY UPDATE rather
 * than FOR UPDATE: the foreign-key checks of every insert into a tenant table take KEY SHARE on
 * this row, and must not queue behind it.
 */
export async function lockMemberChanges(trx: Trx, tenantId: string): Promise<void> {
  await trx
    .selectFrom('tenants')
    .select('id')
    .where('id', '=', tenantId)
    .forNoKeyUpdate()
    .executeTakeFirst()
}

/** Active owners other than `userId`, counted after the lock so no parallel change is missed. */
export async function countOtherActiveOwners(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<number> {
  const row = await trx
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('role', '=', 'owner')
    .where('status', '=', 'active')
    .where('id', '<>', userId)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** A transfer with both users' addresses, for the API and the mails. */
export interface TransferView {
  id: string
  from_user_id: string
  from_email: string
  to_user_id: string
  to_email: string
  status: TransferStatus
  created_at: Date
  expires_at: Date
}

function transfers(trx: Trx, tenantId: string) {
  return trx
    .selectFrom('ownership_transfers as o')
    .innerJoin('users as f', (join) =>
      join.onRef('f.id', '=', 'o.from_user_id').onRef('f.tenant_id', '=', 'o.tenant_id'),
    )
    .innerJoin('users as r', (join) =>
      join.onRef('r.id', '=', 'o.to_user_id').onRef('r.tenant_id', '=', 'o.tenant_id'),
    )
    .select([
      'o.id',
      'o.from_user_id',
      'f.email as from_email',
      'o.to_user_id',
      'r.email as to_email',
      'o.status',
      'o.created_at',
      'o.expires_at',
    ])
    .where('o.tenant_id', '=', tenantId)
}

export async function findTransfer(
  trx: Trx,
  tenantId: string,
  id: string,
): Promise<TransferView | undefined> {
  return transfers(trx, tenantId).where('o.id', '=', id).executeTakeFirst()
}

/** The organisation's pending, unexpired transfer, if any. */
export async function findPendingTransfer(
  trx: Trx,
  tenantId: string,
): Promise<TransferView | undefined> {
  return transfers(trx, tenantId)
    .where('o.status', '=', 'pending')
    .where('o.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst()
}

/** Closes pending transfers past their expiry, so a new one may be offered. */
export async function expireLapsedTransfers(trx: Trx, tenantId: string): Promise<void> {
  await trx
    .updateTable('ownership_transfers')
    .set({ status: 'expired', closed_at: sql<Date>`now()` })
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'pending')
    .where('expires_at', '<=', sql<Date>`now()`)
    .execute()
}

export async function insertTransfer(trx: Trx, row: NewOwnershipTransferRow): Promise<void> {
  await trx.insertInto('ownership_transfers').values(row).execute()
}

/**
 * Closes a pending, unexpired transfer in one statement: of an accept, a decline and a cancel
 * racing for one transfer, exactly one gets the row back.
 */
export async function closeTransfer(
  trx: Trx,
  tenantId: string,
  id: string,
  status: Exclude<TransferStatus, 'pending' | 'expired'>,
  closedBy: string,
): Promise<boolean> {
  const result = await trx
    .updateTable('ownership_transfers')
    .set({ status, closed_at: sql<Date>`now()`, closed_by: closedBy })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}
