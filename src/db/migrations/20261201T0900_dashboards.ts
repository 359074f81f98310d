// DATA-1, AUTHZ-2, AUTHZ-3: dashboards over collections, kiosk links to a chosen set of them, and
// the per-address counters that throttle and block guessing of kiosk tokens.
// A dashboard keeps its widget definitions as one JSON array (validated by the service against
// the collections' schemas at save time and again at compute time). A kiosk link stores only the
// SHA-256 of its token; its tenant is found through a SECURITY DEFINER gateway, like API keys.
import { type Kysely, sql } from 'kysely'
import { enableTenantIsolation } from '../rls.ts'
import type { MigrationContext } from './index.ts'

export function dashboards(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        CREATE TABLE dashboards (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
          description text CHECK (description IS NULL OR char_length(description) <= 500),
          widgets jsonb NOT NULL CHECK (jsonb_typeof(widgets) = 'array'
            AND jsonb_array_length(widgets) <= 50),
          refresh_seconds integer NOT NULL DEFAULT 300 CHECK (refresh_seconds BETWEEN 30 AND 86400),
          version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
          created_by uuid REFERENCES users (id) ON DELETE SET NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
          updated_at timestamptz NOT NULL DEFAULT now(),
          UNIQUE (tenant_id, id)
        )`.execute(db)
      await sql`CREATE INDEX dashboards_list_idx ON dashboards (tenant_id, name, id)`.execute(db)

      await sql`
        CREATE TABLE kiosk_links (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
          prefix text NOT NULL CHECK (prefix ~ '^kl_[A-Za-z0-9_-]{8}$'),
          token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
          ip_allowlist text[] NOT NULL DEFAULT '{}' CHECK (cardinality(ip_allowlist) <= 100),
          created_by uuid REFERENCES users (id) ON DELETE SET NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          expires_at timestamptz,
          revoked_at timestamptz,
          revoked_by uuid REFERENCES users (id) ON DELETE SET NULL,
          last_viewed_at timestamptz,
          CHECK (expires_at IS NULL OR expires_at > created_at),
          UNIQUE (tenant_id, id)
        )`.execute(db)
      await sql`CREATE INDEX kiosk_links_list_idx ON kiosk_links (tenant_id, created_at DESC, id)`.execute(
        db,
      )
      // The dashboards a link shows, in order. Both keys carry the tenant, so the database itself
      // refuses a link to another organisation's dashboard; deleting a dashboard detaches it.
      await sql`
        CREATE TABLE kiosk_link_dashboards (
          tenant_id uuid NOT NULL,
          link_id uuid NOT NULL,
          dashboard_id uuid NOT NULL,
          position integer NOT NULL CHECK (position >= 0),
          PRIMARY KEY (tenant_id, link_id, dashboard_id),
          FOREIGN KEY (tenant_id, link_id) REFERENCES kiosk_links (tenant_id, id) ON DELETE CASCADE,
          FOREIGN KEY (tenant_id, dashboard_id) REFERENCES dashboards (tenant_id, id)
            ON DELETE CASCADE
        )`.execute(db)
      await sql`
        CREATE INDEX kiosk_link_dashboards_dashboard_idx
        ON kiosk_link_dashboards (tenant_id, dashboard_id)`.execute(db)

      for (const table of ['dashboards', 'kiosk_links', 'kiosk_link_dashboards']) {
        await enableTenantIsolation(db, ctx.appRole, table)
      }
      // A dashboard changes its content, never its tenant or creator.
      await sql`GRANT SELECT, INSERT, DELETE ON dashboards TO ${app}`.execute(db)
      await sql`
        GRANT UPDATE (name, description, widgets, refresh_seconds, version, updated_by, updated_at)
        ON dashboards TO ${app}`.execute(db)
      // A link is revoked, never deleted or changed: its history stays for the audit trail.
      await sql`GRANT SELECT, INSERT ON kiosk_links TO ${app}`.execute(db)
      await sql`
        GRANT UPDATE (revoked_at, revoked_by, last_viewed_at) ON kiosk_links TO ${app}`.execute(db)
      await sql`GRANT SELECT, INSERT ON kiosk_link_dashboards TO ${app}`.execute(db)

      // AUTHZ-3: failed kiosk-token guesses per client address (an IPv4 address, or the /64
      // network of an IPv6 one), before any tenant is known: a platform table, without tenant.
      await sql`
        CREATE TABLE kiosk_guards (
          client text PRIMARY KEY CHECK (char_length(client) BETWEEN 2 AND 64),
          failures integer NOT NULL CHECK (failures >= 0),
          window_started_at timestamptz NOT NULL DEFAULT now(),
          blocked_until timestamptz
        )`.execute(db)
      await sql`CREATE INDEX kiosk_guards_window_idx ON kiosk_guards (window_started_at)`.execute(
        db,
      )
      await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON kiosk_guards TO ${app}`.execute(db)

      // The gateway from a presented token's hash to its tenant. Revoked and expired links, and
      // links of inactive organisations, lead nowhere.
      await sql`
        CREATE FUNCTION rampart_tenant_by_kiosk_token(p_token_hash text) RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$ SELECT k.tenant_id FROM kiosk_links k JOIN tenants t ON t.id = k.tenant_id
              WHERE k.token_hash = p_token_hash AND k.revoked_at IS NULL
                AND (k.expires_at IS NULL OR k.expires_at > now()) AND t.status = 'active' $$`.execute(
        db,
      )
      await sql`REVOKE ALL ON FUNCTION rampart_tenant_by_kiosk_token(text) FROM PUBLIC`.execute(db)
      await sql`GRANT EXECUTE ON FUNCTION rampart_tenant_by_kiosk_token(text) TO ${app}`.execute(db)
    },
  }
}
