// IAM-4: multi-factor authentication: one authenticator app (TOTP) per user, its secret stored only
// as field ciphertext (KMS-2), and single-use recovery codes stored only as hashes.
import { type Kysely, sql } from 'kysely'
import { enableTenantIsolation } from '../rls.ts'
import type { MigrationContext } from './index.ts'

export function mfa(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // last_step: the last accepted time step, so each code is accepted once (RFC 6238 5.2).
      await sql`
        CREATE TABLE mfa_totp (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          secret bytea NOT NULL,
          confirmed_at timestamptz,
          last_step bigint CHECK (last_step >= 0),
          last_used_at timestamptz,
          created_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db)
      // One authenticator per user, pending or confirmed: a new enrolment replaces a pending one
      // in a single upsert, and parallel enrolments cannot leave two.
      await sql`CREATE UNIQUE INDEX mfa_totp_user_key ON mfa_totp (tenant_id, user_id)`.execute(db)

      await sql`
        CREATE TABLE mfa_recovery_codes (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          code_hash bytea NOT NULL CHECK (octet_length(code_hash) = 32),
          created_at timestamptz NOT NULL DEFAULT now(),
          used_at timestamptz
        )`.execute(db)
      await sql`
        CREATE UNIQUE INDEX mfa_recovery_codes_user_hash_key
        ON mfa_recovery_codes (tenant_id, user_id, code_hash)`.execute(db)

      for (const table of ['mfa_totp', 'mfa_recovery_codes']) {
        await enableTenantIsolation(db, ctx.appRole, table)
        await sql`GRANT SELECT, INSERT, DELETE ON ${sql.id(table)} TO ${app}`.execute(db)
      }
      // A factor never moves to another user or tenant. A pending enrolment's id changes when it
      // is replaced (the secret is bound to the id); key re-encryption rewrites `secret`.
      await sql`
        GRANT UPDATE (id, secret, confirmed_at, last_step, last_used_at, created_at)
        ON mfa_totp TO ${app}`.execute(db)
      // A recovery code is only ever spent.
      await sql`GRANT UPDATE (used_at) ON mfa_recovery_codes TO ${app}`.execute(db)
    },
  }
}
