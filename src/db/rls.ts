// AUTHZ-5: forced row-level security with one tenant policy per table.
import { type Kysely, sql } from 'kysely'

/**
 * Turns on forced row-level security for a tenant table: the application role sees and writes
 * only rows whose tenant column equals the transaction's `rampart.tenant_id` setting. Without
 * the setting (outside withTenant) the policy matches nothing. A second policy lets the owner
 * (migration) role that runs this keep full access: forced RLS would otherwise hide every row
 * from a non-superuser owner, including from the SECURITY DEFINER gateway functions and the CLI.
 */
export async function enableTenantIsolation(
  db: Kysely<unknown>,
  appRole: string,
  table: string,
  column = 'tenant_id',
): Promise<void> {
  const t = sql.id(table)
  const c = sql.id(column)
  await sql`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`.execute(db)
  await sql`ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`.execute(db)
  await sql`
    CREATE POLICY tenant_isolation ON ${t} TO ${sql.id(appRole)}
    USING (${c} = nullif(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (${c} = nullif(current_setting('rampart.tenant_id', true), '')::uuid)`.execute(db)
  await sql`CREATE POLICY owner_access ON ${t} TO CURRENT_USER USING (true) WITH CHECK (true)`.execute(
    db,
  )
}
