// IAM-9: API keys. Only the SHA-256 of a key is stored; `prefix` (the first characters, not
// enough to guess the rest) lets people tell their keys apart. Every key expires; revocation is
// a timestamp, so the key's history stays for the audit trail until its user is removed.
import { type Kysely, sql } from 'kysely'
import { enableTenantIsolation } from '../rls.ts'
import type { MigrationContext } from './index.ts'

export function apiKeys(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        CREATE TABLE api_keys (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          user_id uuid NOT NULL,
          name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
          prefix text NOT NULL CHECK (prefix ~ '^rk_[A-Za-z0-9_-]{8}$'),
          token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
          permissions text[] NOT NULL CHECK (cardinality(permissions) BETWEEN 1 AND 64),
          created_at timestamptz NOT NULL DEFAULT now(),
          expires_at timestamptz NOT NULL,
          last_used_at timestamptz,
          last_used_ip text,
          revoked_at timestamptz,
          revoked_by uuid REFERENCES users (id) ON DELETE SET NULL,
          CHECK (expires_at > created_at),
          -- The key's user is of the key's own organisation: the database refuses anything else.
          FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
        )`.execute(db)
      await sql`CREATE INDEX api_keys_user_idx ON api_keys (tenant_id, user_id, created_at)`.execute(
        db,
      )
      await enableTenantIsolation(db, ctx.appRole, 'api_keys')
      // Only use and revocation change a key; its scope, owner, hash and expiry never do.
      await sql`GRANT SELECT, INSERT ON api_keys TO ${app}`.execute(db)
      await sql`
        GRANT UPDATE (last_used_at, last_used_ip, revoked_at, revoked_by) ON api_keys TO ${app}`.execute(
        db,
      )
      // The gateway from a presented key's hash to its tenant, before any tenant context exists.
      // Revoked and expired keys lead nowhere.
      await sql`
        CREATE FUNCTION rampart_tenant_by_api_key(p_token_hash text) RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$ SELECT k.tenant_id FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
              WHERE k.token_hash = p_token_hash AND k.revoked_at IS NULL AND k.expires_at > now()
                AND t.status = 'active' $$`.execute(db)
      await sql`REVOKE ALL ON FUNCTION rampart_tenant_by_api_key(text) FROM PUBLIC`.execute(db)
      await sql`GRANT EXECUTE ON FUNCTION rampart_tenant_by_api_key(text) TO ${app}`.execute(db)
    },
  }
}
