// KMS-5, DATA-4: deleting a whole tenant. `rampart tenant shred` first locks the tenant in
// `pending_deletion` for a delay (cancellable); when it is due its key is shredded, its rows are
// deleted, and the tenant row stays behind as a `terminated` tombstone (id, slug, region and the
// dates, no name), so the slug is not handed to a newcomer and the audit logs can refer to it.
import { type Kysely, sql } from 'kysely'
import type { MigrationContext } from './index.ts'

export function tenantDeletion(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        ALTER TABLE tenants
          ADD COLUMN deletion_requested_at timestamptz,
          ADD COLUMN deletion_due_at timestamptz,
          ADD COLUMN status_before_deletion text
            CHECK (status_before_deletion IN ('active', 'suspended')),
          ADD COLUMN deletion_started_at timestamptz,
          ADD COLUMN deleted_at timestamptz`.execute(db)
      await sql`ALTER TABLE tenants DROP CONSTRAINT tenants_status_check`.execute(db)
      await sql`
        ALTER TABLE tenants ADD CONSTRAINT tenants_status_check
          CHECK (status IN ('active', 'suspended', 'pending_deletion', 'terminated'))`.execute(db)
      // A pending deletion always knows when it was asked for, when it is due and what a cancel
      // returns to; a completed one when it was done.
      await sql`
        ALTER TABLE tenants ADD CONSTRAINT tenants_deletion_check CHECK (
          (status <> 'pending_deletion' OR (deletion_requested_at IS NOT NULL
            AND deletion_due_at IS NOT NULL AND status_before_deletion IS NOT NULL))
          AND (deleted_at IS NULL OR status = 'terminated'))`.execute(db)
      // The sweep's only look-up (`rampart tenant shred --due`).
      await sql`
        CREATE INDEX tenants_deletion_due_idx ON tenants (deletion_due_at)
        WHERE status = 'pending_deletion'`.execute(db)

      // The slug gateway already finds active tenants only, so nobody of a locked tenant can sign
      // in or ask for a reset link. The session and reset-token gateways now check the tenant
      // too: a session or a reset link issued before the lock leads nowhere while it lasts (the
      // session service checks the status as well: two locks, not one). Nothing is revoked, so a
      // cancelled deletion gives the tenant back as it was.
      await sql`
        CREATE OR REPLACE FUNCTION rampart_tenant_by_session(p_token_hash text) RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
          SELECT s.tenant_id FROM sessions s JOIN tenants t ON t.id = s.tenant_id
          WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL AND t.status = 'active'
        $$`.execute(db)
      await sql`
        CREATE OR REPLACE FUNCTION rampart_tenant_by_reset_token(p_token_hash text) RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
          SELECT r.tenant_id FROM password_reset_tokens r JOIN tenants t ON t.id = r.tenant_id
          WHERE r.token_hash = p_token_hash AND r.used_at IS NULL AND r.revoked_at IS NULL
            AND t.status = 'active'
        $$`.execute(db)
      for (const fn of ['rampart_tenant_by_session(text)', 'rampart_tenant_by_reset_token(text)']) {
        await sql`REVOKE ALL ON FUNCTION ${sql.raw(fn)} FROM PUBLIC`.execute(db)
        await sql`GRANT EXECUTE ON FUNCTION ${sql.raw(fn)} TO ${app}`.execute(db)
      }
    },
  }
}
