// IAM-4: WebAuthn passkeys. A user's credentials (public keys are not secret, so stored in clear)
// and the challenges already spent: a challenge travels sealed under the tenant key (see
// passkeys.challenges.ts), so only its use needs storing, and a second use finds it here.
import { type Kysely, sql } from 'kysely'
import { enableTenantIsolation } from '../rls.ts'
import type { MigrationContext } from './index.ts'

export function passkeys(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // sign_count: the authenticator's signature counter (WebAuthn 6.1.1), 32 bits unsigned;
      // it only rises, so a lower one reveals a cloned authenticator.
      await sql`
        CREATE TABLE mfa_passkeys (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          credential_id text NOT NULL
            CHECK (char_length(credential_id) BETWEEN 22 AND 1366 AND credential_id ~ '^[A-Za-z0-9_-]+$'),
          public_key bytea NOT NULL CHECK (octet_length(public_key) BETWEEN 1 AND 2048),
          sign_count bigint NOT NULL DEFAULT 0 CHECK (sign_count BETWEEN 0 AND 4294967295),
          transports text[] NOT NULL DEFAULT '{}',
          name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
          created_at timestamptz NOT NULL DEFAULT now(),
          last_used_at timestamptz
        )`.execute(db)
      // Unique per organisation, not globally: a global index would let one organisation learn
      // of (or block) another's credential through a conflict.
      await sql`
        CREATE UNIQUE INDEX mfa_passkeys_credential_key
        ON mfa_passkeys (tenant_id, credential_id)`.execute(db)
      await sql`CREATE INDEX mfa_passkeys_user_idx ON mfa_passkeys (tenant_id, user_id)`.execute(db)

      // Rows exist only until the challenge would have expired anyway; then they are purged.
      await sql`
        CREATE TABLE mfa_passkey_challenges (
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          id uuid NOT NULL,
          purpose text NOT NULL CHECK (purpose IN ('registration', 'authentication')),
          expires_at timestamptz NOT NULL,
          spent_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (tenant_id, id)
        )`.execute(db)
      await sql`
        CREATE INDEX mfa_passkey_challenges_expiry_idx
        ON mfa_passkey_challenges (tenant_id, expires_at)`.execute(db)

      for (const table of ['mfa_passkeys', 'mfa_passkey_challenges']) {
        await enableTenantIsolation(db, ctx.appRole, table)
        await sql`GRANT SELECT, INSERT, DELETE ON ${sql.id(table)} TO ${app}`.execute(db)
      }
      // A credential never moves to another user or tenant, and its key never changes: only its
      // use is recorded.
      await sql`GRANT UPDATE (sign_count, last_used_at) ON mfa_passkeys TO ${app}`.execute(db)
    },
  }
}
