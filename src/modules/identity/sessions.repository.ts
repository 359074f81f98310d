import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { NewSessionRow, SessionRow } from './sessions.table.ts'
import type { UserRole } from './users.table.ts'

export async function insertSession(trx: Trx, row: NewSessionRow): Promise<SessionRow> {
  return trx.insertInto('sessions').values(row).returningAll().executeTakeFirstOrThrow()
}

export interface PrincipalRow {
  session_id: string
  tenant_id: string
  user_id: string
  expires_at: Date
  last_seen_at: Date
  email: string
  role: UserRole
  user_status: string
  tenant_slug: string
  tenant_name: string
  tenant_region: string
  tenant_status: string
}

/** The live session for a token hash, with its user and tenant; revoked sessions excluded. */
export async function findPrincipal(
  trx: Trx,
  tenantId: string,
  tokenHash: string,
): Promise<PrincipalRow | undefined> {
  return trx
    .selectFrom('sessions as s')
    .innerJoin('users as u', (j) =>
      j.onRef('u.id', '=', 's.user_id').onRef('u.tenant_id', '=', 's.tenant_id'),
    )
    .innerJoin('tenants as t', 't.id', 's.tenant_id')
    .select([
      's.id as session_id',
      's.tenant_id',
      's.user_id',
      's.expires_at',
      's.last_seen_at',
      'u.email',
      'u.role',
      'u.status as user_status',
      't.slug as tenant_slug',
      't.name as tenant_name',
      't.region as tenant_region',
      't.status as tenant_status',
    ])
    .where('s.tenant_id', '=', tenantId)
    .where('s.token_hash', '=', tokenHash)
    .where('s.revoked_at', 'is', null)
    .executeTakeFirst()
}

export async function touchSession(trx: Trx, tenantId: string, sessionId: string): Promise<void> {
  await trx
    .updateTable('sessions')
    .set({ last_seen_at: sql<Date>`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', sessionId)
    .execute()
}

export async function revokeSession(
  trx: Trx,
  tenantId: string,
  sessionId: string,
  reason: string,
): Promise<boolean> {
  const result = await trx
    .updateTable('sessions')
    .set({ revoked_at: new Date(), revoked_reason: reason })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}
