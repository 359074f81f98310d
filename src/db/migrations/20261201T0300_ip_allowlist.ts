// IAM-8: the organisation's IP allowlist, one row per CIDR range. No rows means no restriction.
// `cidr` is stored normalised (network address and prefix, IPv6 in RFC 5952 form) by the service,
// so equal ranges are equal texts and the unique index refuses a range listed twice.
import { type Kysely, sql } from 'kysely'
import { enableTenantIsolation } from '../rls.ts'
import type { MigrationContext } from './index.ts'

export function ipAllowlist(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        CREATE TABLE ip_allowlist_entries (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          cidr text NOT NULL CHECK (char_length(cidr) BETWEEN 4 AND 43 AND cidr ~ '^[0-9a-f:.]+/[0-9]{1,3}$'),
          label text CHECK (label IS NULL OR char_length(label) BETWEEN 0 AND 64),
          created_by uuid REFERENCES users (id) ON DELETE SET NULL,
          created_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db)
      await sql`
        CREATE UNIQUE INDEX ip_allowlist_entries_cidr_key
        ON ip_allowlist_entries (tenant_id, cidr)`.execute(db)
      await enableTenantIsolation(db, ctx.appRole, 'ip_allowlist_entries')
      // The list is replaced as a whole (delete, then insert): rows are never updated.
      await sql`GRANT SELECT, INSERT, DELETE ON ip_allowlist_entries TO ${app}`.execute(db)
    },
  }
}
