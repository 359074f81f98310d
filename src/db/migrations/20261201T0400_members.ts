// IAM-1, IAM-7: invitations, ownership transfers and account removal.
//
// Invitations: only the SHA-256 of a token is stored; a token is used once and expires. At most
// one open invitation per address and organisation (a partial unique index, so parallel invites
// leave one). A gateway leads from the token hash to the tenant, since whoever follows the link
// has no account yet.
//
// Ownership transfers: at most one pending per organisation, again by a partial unique index.
//
// Removing a user must take what hangs on the user with it (IAM-1 opt-out): sessions now cascade,
// and a vault credential outlives the user who stored it, with its creator forgotten.
import { type Kysely, sql } from 'kysely'
import { enableTenantIsolation } from '../rls.ts'
import type { MigrationContext } from './index.ts'

export function members(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        CREATE TABLE invitations (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          email text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
          email_normalized text NOT NULL CHECK (char_length(email_normalized) BETWEEN 3 AND 254),
          role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer', 'auditor')),
          token_hash text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
          invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          sent_at timestamptz NOT NULL DEFAULT now(),
          expires_at timestamptz NOT NULL,
          accepted_at timestamptz,
          accepted_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
          revoked_at timestamptz,
          revoked_reason text CHECK (revoked_reason IN ('revoked', 'expired')),
          CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL)),
          CHECK (accepted_at IS NULL OR revoked_at IS NULL)
        )`.execute(db)
      await sql`CREATE UNIQUE INDEX invitations_token_hash_key ON invitations (token_hash)`.execute(
        db,
      )
      await sql`
        CREATE UNIQUE INDEX invitations_open_email_key ON invitations (tenant_id, email_normalized)
        WHERE accepted_at IS NULL AND revoked_at IS NULL`.execute(db)
      await enableTenantIsolation(db, ctx.appRole, 'invitations')
      // Rows are kept as evidence of who was let in, by whom: never deleted by the application.
      await sql`GRANT SELECT, INSERT ON invitations TO ${app}`.execute(db)
      await sql`
        GRANT UPDATE (token_hash, sent_at, expires_at, accepted_at, accepted_user_id, revoked_at,
                      revoked_reason)
        ON invitations TO ${app}`.execute(db)
      await sql`
        CREATE FUNCTION rampart_tenant_by_invitation_token(p_token_hash text) RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
          SELECT i.tenant_id FROM invitations i JOIN tenants t ON t.id = i.tenant_id
          WHERE i.token_hash = p_token_hash AND i.accepted_at IS NULL AND i.revoked_at IS NULL
            AND i.expires_at > now() AND t.status = 'active'
        $$`.execute(db)
      await sql`REVOKE ALL ON FUNCTION rampart_tenant_by_invitation_token(text) FROM PUBLIC`.execute(
        db,
      )
      await sql`GRANT EXECUTE ON FUNCTION rampart_tenant_by_invitation_token(text) TO ${app}`.execute(
        db,
      )

      await sql`
        CREATE TABLE ownership_transfers (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          from_user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          to_user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          status text NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'accepted', 'declined', 'cancelled', 'expired')),
          created_at timestamptz NOT NULL DEFAULT now(),
          expires_at timestamptz NOT NULL,
          closed_at timestamptz,
          closed_by uuid REFERENCES users (id) ON DELETE SET NULL,
          CHECK (from_user_id <> to_user_id),
          CHECK ((status = 'pending') = (closed_at IS NULL))
        )`.execute(db)
      await sql`
        CREATE UNIQUE INDEX ownership_transfers_pending_key ON ownership_transfers (tenant_id)
        WHERE status = 'pending'`.execute(db)
      await enableTenantIsolation(db, ctx.appRole, 'ownership_transfers')
      await sql`GRANT SELECT, INSERT ON ownership_transfers TO ${app}`.execute(db)
      await sql`
        GRANT UPDATE (status, closed_at, closed_by) ON ownership_transfers TO ${app}`.execute(db)

      // IAM-1: a removed user's sessions go with the user (they are revoked, and audited, first).
      await sql`
        ALTER TABLE sessions
          DROP CONSTRAINT sessions_user_id_fkey,
          ADD CONSTRAINT sessions_user_id_fkey
            FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE`.execute(db)
      // A credential belongs to the organisation, not to the admin who stored it.
      await sql`
        ALTER TABLE credentials
          ALTER COLUMN created_by DROP NOT NULL,
          DROP CONSTRAINT credentials_created_by_fkey,
          ADD CONSTRAINT credentials_created_by_fkey
            FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL`.execute(db)
    },
  }
}
