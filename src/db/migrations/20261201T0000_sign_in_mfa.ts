// IAM-4, IAM-6: second factors at sign-in, the tenant's MFA policy, enrolment-limited sessions,
// step-up freshness, and verified e-mail addresses.
import { type Kysely, sql } from 'kysely'
import { enableTenantIsolation } from '../rls.ts'
import type { MigrationContext } from './index.ts'

export function signInMfa(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // IAM-4: optional, required for owners and admins, or required for everyone.
      await sql`
        ALTER TABLE tenants ADD COLUMN mfa_policy text NOT NULL DEFAULT 'optional'
          CHECK (mfa_policy IN ('optional', 'admins', 'all'))`.execute(db)

      // scope: a user who must enrol a factor first gets a session that reaches enrolment only.
      // authenticated_at: the last time the holder proved who they are (sign-in or step-up); a
      // change of factors, e-mail or password needs it to be recent. amr: how (RFC 8176 names).
      await sql`
        ALTER TABLE sessions
          ADD COLUMN scope text NOT NULL DEFAULT 'full'
            CHECK (scope IN ('full', 'mfa_enrolment')),
          ADD COLUMN authenticated_at timestamptz NOT NULL DEFAULT now(),
          ADD COLUMN amr text[] NOT NULL DEFAULT '{pwd}'`.execute(db)

      // A password that was right, waiting for its second factor. Only the token's hash is
      // stored; the challenge remembers which failure counter the attempt was charged to, so
      // guesses at the code count against the same limit as guesses at the password (IAM-3).
      await sql`
        CREATE TABLE mfa_challenges (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          token_hash text NOT NULL,
          known_device_id uuid REFERENCES known_devices (id) ON DELETE CASCADE,
          created_at timestamptz NOT NULL DEFAULT now(),
          expires_at timestamptz NOT NULL,
          failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
          consumed_at timestamptz
        )`.execute(db)
      await sql`CREATE UNIQUE INDEX mfa_challenges_hash_key ON mfa_challenges (token_hash)`.execute(
        db,
      )
      await sql`CREATE INDEX mfa_challenges_user_idx ON mfa_challenges (tenant_id, user_id)`.execute(
        db,
      )
      await enableTenantIsolation(db, ctx.appRole, 'mfa_challenges')
      await sql`GRANT SELECT, INSERT, DELETE ON mfa_challenges TO ${app}`.execute(db)
      await sql`GRANT UPDATE (failures, consumed_at) ON mfa_challenges TO ${app}`.execute(db)
      await sql`
        CREATE FUNCTION rampart_tenant_by_mfa_challenge(p_token_hash text) RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
          SELECT c.tenant_id FROM mfa_challenges c JOIN tenants t ON t.id = c.tenant_id
          WHERE c.token_hash = p_token_hash AND c.consumed_at IS NULL
            AND c.expires_at > now() AND t.status = 'active'
        $$`.execute(db)
      await sql`REVOKE ALL ON FUNCTION rampart_tenant_by_mfa_challenge(text) FROM PUBLIC`.execute(
        db,
      )
      await sql`GRANT EXECUTE ON FUNCTION rampart_tenant_by_mfa_challenge(text) TO ${app}`.execute(
        db,
      )

      // E-mail verification: an address counts as the user's once a link sent to it was followed.
      // Addresses created before this migration were entered by their owners at sign-up.
      await sql`ALTER TABLE users ADD COLUMN email_verified_at timestamptz`.execute(db)
      await sql`
        CREATE TABLE email_verification_tokens (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          email text NOT NULL,
          token_hash text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          expires_at timestamptz NOT NULL,
          used_at timestamptz,
          revoked_at timestamptz
        )`.execute(db)
      await sql`
        CREATE UNIQUE INDEX email_verification_tokens_hash_key
        ON email_verification_tokens (token_hash)`.execute(db)
      await sql`
        CREATE INDEX email_verification_tokens_user_idx
        ON email_verification_tokens (tenant_id, user_id, created_at)`.execute(db)
      await enableTenantIsolation(db, ctx.appRole, 'email_verification_tokens')
      await sql`GRANT SELECT, INSERT ON email_verification_tokens TO ${app}`.execute(db)
      await sql`
        GRANT UPDATE (used_at, revoked_at) ON email_verification_tokens TO ${app}`.execute(db)
      await sql`
        CREATE FUNCTION rampart_tenant_by_email_token(p_token_hash text) RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
          SELECT v.tenant_id FROM email_verification_tokens v JOIN tenants t ON t.id = v.tenant_id
          WHERE v.token_hash = p_token_hash AND v.used_at IS NULL AND v.revoked_at IS NULL
            AND v.expires_at > now() AND t.status = 'active'
        $$`.execute(db)
      await sql`REVOKE ALL ON FUNCTION rampart_tenant_by_email_token(text) FROM PUBLIC`.execute(db)
      await sql`GRANT EXECUTE ON FUNCTION rampart_tenant_by_email_token(text) TO ${app}`.execute(db)
    },
  }
}
