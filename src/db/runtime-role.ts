// AUTHZ-5: the server's own database login must not be able to step around row-level security.
// withTenant switches to the application role inside each transaction, but a login that is the
// schema owner or a superuser could switch back (RESET ROLE) if SQL were ever injected; a login
// that is only a member of the application role has nowhere to go.
import { sql } from 'kysely'
import type { DatabaseHandle } from './connection.ts'

/**
 * Why the runtime login could bypass row-level security, or could not switch to the application
 * role at all; empty when it is fit to serve.
 */
export async function runtimeRoleProblems(handle: DatabaseHandle): Promise<string[]> {
  if (handle.kind === 'pglite') return [] // embedded: one built-in superuser, dev only (SEC-7)
  const { rows } = await sql<{
    login: string
    superuser: boolean
    bypassrls: boolean
    owns_tables: boolean
    member_of_app: boolean
  }>`
    SELECT r.rolname AS login, r.rolsuper AS superuser, r.rolbypassrls AS bypassrls,
      EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = current_schema()
        AND pg_has_role(current_user, t.tableowner, 'MEMBER')) AS owns_tables,
      EXISTS (SELECT 1 FROM pg_roles a WHERE a.rolname = ${handle.appRole}
        AND pg_has_role(current_user, a.oid, 'MEMBER')) AS member_of_app
    FROM pg_roles r WHERE r.rolname = current_user`.execute(handle.db)
  const role = rows[0]
  if (!role) return ['the runtime login role could not be found']
  const problems: string[] = []
  if (role.superuser) problems.push(`runtime login ${role.login} is a superuser`)
  else if (role.bypassrls) problems.push(`runtime login ${role.login} has BYPASSRLS`)
  if (role.owns_tables) problems.push(`runtime login ${role.login} owns the schema's tables`)
  if (!role.member_of_app) {
    problems.push(`runtime login ${role.login} is not granted ${handle.appRole}`)
  }
  return problems
}

export const RUNTIME_ROLE_FIX =
  'set RAMPART_DATABASE_URL to a login granted only the application role, and RAMPART_DATABASE_MIGRATION_URL to the schema owner (docs/configuration.md)'
