// IAM-6: a user's sessions as the device list sees them. Every query carries the tenant and the
// user beneath row-level security (AUTHZ-5), so an id from elsewhere simply matches nothing.
import type { Trx } from '../../db/tenant.ts'
import type { SessionRow } from './sessions.table.ts'

/** What the device list shows of a session; never the token hash. */
export type DeviceRow = Pick<
  SessionRow,
  'id' | 'user_agent' | 'ip' | 'created_at' | 'last_seen_at' | 'expires_at'
>

/** The instants a session must be younger than to be live: absolute and idle timeouts. */
export interface Liveness {
  now: Date
  /** A session last seen at or before this is idle past the timeout. */
  idleCutoff: Date
}

const DEVICE_COLUMNS = [
  'id',
  'user_agent',
  'ip',
  'created_at',
  'last_seen_at',
  'expires_at',
] as const

/** The user's live sessions, newest first. */
export async function listLiveSessions(
  trx: Trx,
  tenantId: string,
  userId: string,
  live: Liveness,
  limit: number,
): Promise<DeviceRow[]> {
  return trx
    .selectFrom('sessions')
    .select(DEVICE_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', live.now)
    .where('last_seen_at', '>', live.idleCutoff)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}

export async function userExists(trx: Trx, tenantId: string, userId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('users')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .executeTakeFirst()
  return row !== undefined
}

/** Revokes one live session of the user; false when there is none with that id. */
export async function revokeLiveSession(
  trx: Trx,
  tenantId: string,
  userId: string,
  sessionId: string,
  live: Liveness,
  reason: string,
): Promise<boolean> {
  const result = await trx
    .updateTable('sessions')
    .set({ revoked_at: live.now, revoked_reason: reason })
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', live.now)
    .where('last_seen_at', '>', live.idleCutoff)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/**
 * Locks the user's unrevoked sessions until the transaction ends and returns their ids. Always in
 * id order, so that two bulk revocations for one user queue behind each other instead of
 * deadlocking; a row another transaction revoked meanwhile is re-checked and left out.
 */
export async function lockUnrevokedSessionIds(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<string[]> {
  const rows = await trx
    .selectFrom('sessions')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('id')
    .forUpdate()
    .execute()
  return rows.map((r) => r.id)
}

/** Revokes every unrevoked session of the user but `exceptId`; returns the ids revoked. */
export async function revokeSessionsOfUser(
  trx: Trx,
  tenantId: string,
  userId: string,
  exceptId: string | undefined,
  reason: string,
): Promise<string[]> {
  let query = trx
    .updateTable('sessions')
    .set({ revoked_at: new Date(), revoked_reason: reason })
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
  if (exceptId) query = query.where('id', '<>', exceptId)
  const rows = await query.returning('id').execute()
  return rows.map((r) => r.id)
}
