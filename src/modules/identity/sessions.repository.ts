import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { NewSessionRow, SessionRow, SessionScope } from './sessions.table.ts'
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
  scope: SessionScope
  authenticated_at: Date
  email: string
  email_verified_at: Date | null
  role: UserRole
  user_status: string
  tenant_slug: string
  tenant_name: string
  tenant_region: string
  tenant_status: string
  /** IAM-8: the organisation's allowlist ranges, empty when it has none. */
  ip_allowlist: string[]
}

/**
 * The live session for a token hash, with its user and tenant; revoked sessions excluded.
 * Written as one fixed statement rather than built per call: it runs on every authenticated
 * request, and building the join through the query builder each time cost more CPU than the
 * rest of the request's own work (see bench/http.ts).
 */
export async function findPrincipal(
  trx: Trx,
  tenantId: string,
  tokenHash: string,
): Promise<PrincipalRow | undefined> {
  const { rows } = await sql<PrincipalRow>`
    SELECT s.id AS session_id, s.tenant_id, s.user_id, s.expires_at, s.last_seen_at,
           s.scope, s.authenticated_at,
           u.email, u.email_verified_at, u.role, u.status AS user_status,
           t.slug AS tenant_slug, t.name AS tenant_name, t.region AS tenant_region,
           t.status AS tenant_status,
           ARRAY(SELECT a.cidr FROM ip_allowlist_entries a
                 WHERE a.tenant_id = s.tenant_id) AS ip_allowlist
    FROM sessions s
    JOIN users u ON u.id = s.user_id AND u.tenant_id = s.tenant_id
    JOIN tenants t ON t.id = s.tenant_id
    WHERE s.tenant_id = ${tenantId} AND s.token_hash = ${tokenHash} AND s.revoked_at IS NULL`.execute(
    trx,
  )
  return rows[0]
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

/** IAM-6: a step-up: the session's holder proved who they are just now. */
export async function markAuthenticated(
  trx: Trx,
  tenantId: string,
  sessionId: string,
  amr: string[],
): Promise<Date> {
  const row = await trx
    .updateTable('sessions')
    .set({ authenticated_at: sql<Date>`now()`, amr })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', sessionId)
    .returning('authenticated_at')
    .executeTakeFirstOrThrow()
  return row.authenticated_at
}

/** IAM-4: the session's user enrolled a second factor; the session reaches everything now. */
export async function upgradeEnrolmentSession(
  trx: Trx,
  tenantId: string,
  sessionId: string,
  method: string,
): Promise<void> {
  await trx
    .updateTable('sessions')
    .set({ scope: 'full', amr: sql<string[]>`array_append(amr, ${method})` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', sessionId)
    .where('scope', '=', 'mfa_enrolment')
    .execute()
}
