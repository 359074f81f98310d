// AUTHZ-5: withTenant() is the only way to tenant rows. It opens a transaction, switches to the
// non-owner application role and sets `rampart.tenant_id` for that transaction only, so
// row-level security scopes every statement beneath the repositories' own tenant filters.
import { type Kysely, sql, type Transaction } from 'kysely'
import type { DatabaseHandle } from './connection.ts'
import type { Database } from './database.ts'

export type Trx = Transaction<Database>

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid(value: string): boolean {
  return UUID.test(value)
}

export async function withTenant<T>(
  handle: DatabaseHandle,
  tenantId: string,
  fn: (trx: Trx) => Promise<T>,
): Promise<T> {
  if (!isUuid(tenantId)) throw new TypeError('withTenant needs a tenant id (uuid)')
  return handle.db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('role', ${handle.appRole}, true),
      set_config('rampart.tenant_id', ${tenantId}, true)`.execute(trx)
    return fn(trx)
  })
}

/**
 * Resolves a tenant through one of the gateway functions (by slug, by session token hash) and
 * enters its context in the same statement, saving a round trip. `fn` receives null when
 * nothing matched; the transaction then sees no tenant rows at all.
 */
async function withResolvedTenant<T>(
  handle: DatabaseHandle,
  gateway:
    | 'rampart_tenant_by_slug'
    | 'rampart_tenant_by_session'
    | 'rampart_tenant_by_reset_token'
    | 'rampart_tenant_by_mfa_challenge'
    | 'rampart_tenant_by_email_token'
    | 'rampart_tenant_by_invitation_token'
    | 'rampart_tenant_by_api_key'
    | 'rampart_tenant_by_kiosk_token',
  key: string,
  fn: (trx: Trx, tenantId: string | null) => Promise<T>,
): Promise<T> {
  return handle.db.transaction().execute(async (trx) => {
    const { rows } = await sql<{
      tenant_id: string
    }>`SELECT set_config('role', ${handle.appRole}, true),
      set_config('rampart.tenant_id', coalesce(${sql.raw(gateway)}(${key})::text, ''), true) AS tenant_id`.execute(
      trx,
    )
    const tenantId = rows[0]?.tenant_id
    return fn(trx, tenantId ? tenantId : null)
  })
}

export function withTenantBySlug<T>(
  handle: DatabaseHandle,
  slug: string,
  fn: (trx: Trx, tenantId: string | null) => Promise<T>,
): Promise<T> {
  return withResolvedTenant(handle, 'rampart_tenant_by_slug', slug, fn)
}

export function withTenantBySession<T>(
  handle: DatabaseHandle,
  tokenHash: string,
  fn: (trx: Trx, tenantId: string | null) => Promise<T>,
): Promise<T> {
  return withResolvedTenant(handle, 'rampart_tenant_by_session', tokenHash, fn)
}

/** IAM-2: the tenant of an unused password reset token, by its hash (the link carries no slug). */
export function withTenantByResetToken<T>(
  handle: DatabaseHandle,
  tokenHash: string,
  fn: (trx: Trx, tenantId: string | null) => Promise<T>,
): Promise<T> {
  return withResolvedTenant(handle, 'rampart_tenant_by_reset_token', tokenHash, fn)
}

/** IAM-4: the tenant of an open second-factor challenge, by its token hash. */
export function withTenantByMfaChallenge<T>(
  handle: DatabaseHandle,
  tokenHash: string,
  fn: (trx: Trx, tenantId: string | null) => Promise<T>,
): Promise<T> {
  return withResolvedTenant(handle, 'rampart_tenant_by_mfa_challenge', tokenHash, fn)
}

/** IAM-1: the tenant of an open e-mail verification token, by its hash. */
export function withTenantByEmailToken<T>(
  handle: DatabaseHandle,
  tokenHash: string,
  fn: (trx: Trx, tenantId: string | null) => Promise<T>,
): Promise<T> {
  return withResolvedTenant(handle, 'rampart_tenant_by_email_token', tokenHash, fn)
}

/** IAM-9: the tenant of a live (unrevoked, unexpired) API key, by its hash. */
export function withTenantByApiKey<T>(
  handle: DatabaseHandle,
  tokenHash: string,
  fn: (trx: Trx, tenantId: string | null) => Promise<T>,
): Promise<T> {
  return withResolvedTenant(handle, 'rampart_tenant_by_api_key', tokenHash, fn)
}

/** AUTHZ-3: the tenant of a live (unrevoked, unexpired) kiosk link, by its token hash. */
export function withTenantByKioskToken<T>(
  handle: DatabaseHandle,
  tokenHash: string,
  fn: (trx: Trx, tenantId: string | null) => Promise<T>,
): Promise<T> {
  return withResolvedTenant(handle, 'rampart_tenant_by_kiosk_token', tokenHash, fn)
}

/** IAM-1: the tenant of an open, unexpired invitation, by its token hash (active tenants only). */
export function withTenantByInvitationToken<T>(
  handle: DatabaseHandle,
  tokenHash: string,
  fn: (trx: Trx, tenantId: string | null) => Promise<T>,
): Promise<T> {
  return withResolvedTenant(handle, 'rampart_tenant_by_invitation_token', tokenHash, fn)
}

/** Runs as the application role with no tenant: for health checks and platform-level reads. */
export async function withAppRole<T>(
  db: Kysely<Database>,
  appRole: string,
  fn: (trx: Trx) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('role', ${appRole}, true)`.execute(trx)
    return fn(trx)
  })
}

/** Runs as the application role in the platform's audit context (the platform's own log only). */
export async function withPlatformAudit<T>(
  handle: DatabaseHandle,
  fn: (trx: Trx) => Promise<T>,
): Promise<T> {
  return handle.db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('role', ${handle.appRole}, true),
      set_config('rampart.audit_platform', 'on', true)`.execute(trx)
    return fn(trx)
  })
}

/**
 * Operator work on one tenant that the application role is never granted, such as deleting all
 * of a tenant's rows (KMS-5, DATA-4): a transaction on `handle`'s own login, which must be the
 * schema owner (the CLI's connection), with the tenant's setting and the platform's audit context,
 * so events for the tenant's log and the platform's commit together with the work.
 */
export async function withTenantAsOwner<T>(
  handle: DatabaseHandle,
  tenantId: string,
  fn: (trx: Trx) => Promise<T>,
): Promise<T> {
  if (!isUuid(tenantId)) throw new TypeError('withTenantAsOwner needs a tenant id (uuid)')
  return handle.db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('rampart.tenant_id', ${tenantId}, true),
      set_config('rampart.audit_platform', 'on', true)`.execute(trx)
    return fn(trx)
  })
}
