// IAM-2, IAM-6: password reset tokens. Only the SHA-256 of a token is stored; a token is used once
// and expires. A gateway leads from the hash to the tenant id, since whoever follows a reset link
// has no session and may not even know the organisation's slug.
import { type Kysely, sql } from 'kysely'
import { enableTenantIsolation } from '../rls.ts'
import type { MigrationContext } from './index.ts'

export function passwordReset(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        CREATE TABLE password_reset_tokens (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          token_hash text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          expires_at timestamptz NOT NULL,
          used_at timestamptz,
          revoked_at timestamptz
        )`.execute(db)
      await sql`
        CREATE UNIQUE INDEX password_reset_tokens_hash_key ON password_reset_tokens (token_hash)`.execute(
        db,
      )
      // The per-account throttle counts a user's recent tokens.
      await sql`
        CREATE INDEX password_reset_tokens_user_idx
        ON password_reset_tokens (tenant_id, user_id, created_at)`.execute(db)

      await enableTenantIsolation(db, ctx.appRole, 'password_reset_tokens')
      await sql`GRANT SELECT, INSERT ON password_reset_tokens TO ${app}`.execute(db)
      await sql`GRANT UPDATE (used_at, revoked_at) ON password_reset_tokens TO ${app}`.execute(db)

      await sql`
        CREATE FUNCTION rampart_tenant_by_reset_token(p_token_hash text) RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
          SELECT tenant_id FROM password_reset_tokens
          WHERE token_hash = p_token_hash AND used_at IS NULL AND revoked_at IS NULL
        $$`.execute(db)
      await sql`REVOKE ALL ON FUNCTION rampart_tenant_by_reset_token(text) FROM PUBLIC`.execute(db)
      await sql`GRANT EXECUTE ON FUNCTION rampart_tenant_by_reset_token(text) TO ${app}`.execute(db)
    },
  }
}
