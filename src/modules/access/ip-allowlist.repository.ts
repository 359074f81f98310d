// IAM-8: the organisation's IP allowlist rows.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { IpAllowlistEntryRow, NewIpAllowlistEntryRow } from './ip-allowlist.table.ts'

export async function listEntries(trx: Trx, tenantId: string): Promise<IpAllowlistEntryRow[]> {
  return trx
    .selectFrom('ip_allowlist_entries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('cidr')
    .execute()
}

/** Only the ranges, for the check on every request and at sign-in. */
export async function listRanges(trx: Trx, tenantId: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('ip_allowlist_entries')
    .select('cidr')
    .where('tenant_id', '=', tenantId)
    .execute()
  return rows.map((r) => r.cidr)
}

/** Replaces the whole list inside the caller's transaction; concurrent saves take turns. */
export async function replaceEntries(
  trx: Trx,
  tenantId: string,
  rows: readonly NewIpAllowlistEntryRow[],
): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`ip_allowlist/${tenantId}`}, 0))`.execute(
    trx,
  )
  await trx.deleteFrom('ip_allowlist_entries').where('tenant_id', '=', tenantId).execute()
  if (rows.length > 0)
    await trx
      .insertInto('ip_allowlist_entries')
      .values([...rows])
      .execute()
}
