import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Trx } from '../../db/tenant.ts'
import type { NewTenantRow, TenantRow } from './tenants.table.ts'

export async function insertTenant(trx: Trx, row: NewTenantRow): Promise<TenantRow> {
  return trx.insertInto('tenants').values(row).returningAll().executeTakeFirstOrThrow()
}

/**
 * Every tenant, for the provider's CLI. It runs on the owner connection (migration role),
 * never on the application role, so it is not reachable from any HTTP route.
 */
export async function listAllTenants(db: Kysely<Database>): Promise<TenantRow[]> {
  return db.selectFrom('tenants').selectAll().orderBy('created_at').execute()
}
