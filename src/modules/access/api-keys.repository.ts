// IAM-9: API key rows. The look-up on every request is one fixed statement with the key's user,
// tenant and IP allowlist, as the session look-up is (see sessions.repository.ts).
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { UserRole } from '../identity/users.table.ts'
import type { ApiKeyRow, NewApiKeyRow } from './api-keys.table.ts'

export interface ApiKeyPrincipalRow {
  key_id: string
  user_id: string
  permissions: string[]
  expires_at: Date
  last_used_at: Date | null
  email: string
  email_verified_at: Date | null
  role: UserRole
  user_status: string
  tenant_slug: string
  tenant_name: string
  tenant_region: string
  tenant_status: string
  ip_allowlist: string[]
}

/** The live key for a hash, with its user and tenant; revoked and expired keys excluded. */
export async function findApiKeyPrincipal(
  trx: Trx,
  tenantId: string,
  tokenHash: string,
): Promise<ApiKeyPrincipalRow | undefined> {
  const { rows } = await sql<ApiKeyPrincipalRow>`
    SELECT k.id AS key_id, k.user_id, k.permissions, k.expires_at, k.last_used_at,
           u.email, u.email_verified_at, u.role, u.status AS user_status,
           t.slug AS tenant_slug, t.name AS tenant_name, t.region AS tenant_region,
           t.status AS tenant_status,
           ARRAY(SELECT a.cidr FROM ip_allowlist_entries a
                 WHERE a.tenant_id = k.tenant_id) AS ip_allowlist
    FROM api_keys k
    JOIN users u ON u.id = k.user_id AND u.tenant_id = k.tenant_id
    JOIN tenants t ON t.id = k.tenant_id
    WHERE k.tenant_id = ${tenantId} AND k.token_hash = ${tokenHash}
      AND k.revoked_at IS NULL AND k.expires_at > now()`.execute(trx)
  return rows[0]
}

export async function touchApiKey(
  trx: Trx,
  tenantId: string,
  keyId: string,
  ip: string,
): Promise<void> {
  await trx
    .updateTable('api_keys')
    .set({ last_used_at: sql<Date>`now()`, last_used_ip: ip })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', keyId)
    .execute()
}

/**
 * Locks the user's row, so that concurrent creations for one user count their live keys one
 * after the other and the cap holds under parallel requests.
 */
export async function lockUserAndCountLiveKeys(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<number> {
  await sql`SELECT id FROM users WHERE tenant_id = ${tenantId} AND id = ${userId} FOR UPDATE`.execute(
    trx,
  )
  const row = await trx
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function insertApiKey(trx: Trx, row: NewApiKeyRow): Promise<ApiKeyRow> {
  return trx.insertInto('api_keys').values(row).returningAll().executeTakeFirstOrThrow()
}

export interface ApiKeyFilter {
  /** Only this user's keys; all of the tenant's when absent. */
  userId?: string
}

/** Keys newest first, revoked and expired ones included (they are the history). */
export async function listApiKeys(
  trx: Trx,
  tenantId: string,
  filter: ApiKeyFilter,
  limit: number,
): Promise<ApiKeyRow[]> {
  let query = trx
    .selectFrom('api_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
  if (filter.userId) query = query.where('user_id', '=', filter.userId)
  return query.execute()
}

export async function findApiKey(
  trx: Trx,
  tenantId: string,
  keyId: string,
): Promise<ApiKeyRow | undefined> {
  return trx
    .selectFrom('api_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', keyId)
    .executeTakeFirst()
}

/** Marks the key revoked unless it already was; false when there was nothing to revoke. */
export async function revokeApiKey(
  trx: Trx,
  tenantId: string,
  keyId: string,
  revokedBy: string,
): Promise<boolean> {
  const result = await trx
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`now()`, revoked_by: revokedBy })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', keyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** Revokes every live key of the user; the ids revoked. */
export async function revokeLiveKeysOfUser(
  trx: Trx,
  tenantId: string,
  userId: string,
  revokedBy: string | null,
): Promise<string[]> {
  const rows = await trx
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`now()`, revoked_by: revokedBy })
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning('id')
    .execute()
  return rows.map((r) => r.id)
}
