import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'

/** Appends one canonical event to a tenant's log in the caller's transaction; its leaf index. */
export async function appendEntry(trx: Trx, tenantId: string, event: string): Promise<number> {
  const { rows } = await sql<{ idx: string }>`
    SELECT rampart_audit_append(${tenantId}::uuid, ${event}) AS idx`.execute(trx)
  return Number(rows[0]?.idx)
}
