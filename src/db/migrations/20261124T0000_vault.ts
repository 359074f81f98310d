// KMS-3: the credentials vault. Third-party secrets are stored only as field ciphertext (KMS-2);
// their names, kind and field names are metadata, kept in clear for listing and auditing.
import { type Kysely, sql } from 'kysely'
import { enableTenantIsolation } from '../rls.ts'
import type { MigrationContext } from './index.ts'

export function vault(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // The checks repeat the API's rules, so no other path (CLI, a future import) can store a
      // credential the API would refuse.
      await sql`
        CREATE TABLE credentials (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
          kind text NOT NULL
            CHECK (kind IN ('api_key', 'basic', 'oauth_client', 'smtp', 'generic')),
          field_names text[] NOT NULL CHECK (cardinality(field_names) BETWEEN 1 AND 20),
          secret bytea NOT NULL,
          secret_version integer NOT NULL DEFAULT 1 CHECK (secret_version >= 1),
          created_by uuid NOT NULL REFERENCES users (id),
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now(),
          last_used_at timestamptz
        )`.execute(db)
      // One name per organisation; parallel creates with one name leave exactly one winner.
      await sql`CREATE UNIQUE INDEX credentials_tenant_name_key ON credentials (tenant_id, name)`.execute(
        db,
      )

      await enableTenantIsolation(db, ctx.appRole, 'credentials')
      await sql`GRANT SELECT, INSERT, DELETE ON credentials TO ${app}`.execute(db)
      // Identity, owner, name, kind and creation stay as written; only the secret and its
      // bookkeeping change (replace, use, and key re-encryption rewriting `secret`).
      await sql`
        GRANT UPDATE (field_names, secret, secret_version, updated_at, last_used_at)
        ON credentials TO ${app}`.execute(db)
    },
  }
}
