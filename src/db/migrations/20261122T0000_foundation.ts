// Foundation schema: tenants, users, sessions, the application role and row-level security.
import { type Kysely, sql } from 'kysely'
import { enableTenantIsolation } from '../rls.ts'
import type { MigrationContext } from './index.ts'

export function foundation(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // AUTHZ-5: the application role owns nothing and logs in as nobody; the server switches
      // to it inside every transaction. Roles are cluster-wide, so creation tolerates a race.
      // An administrator may create the role beforehand, so that the owner needs no CREATEROLE.
      await sql`
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${sql.lit(ctx.appRole)}) THEN
            CREATE ROLE ${app} NOLOGIN NOSUPERUSER NOBYPASSRLS;
          END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$`.execute(db)
      await sql`
        DO $$ BEGIN
          IF NOT pg_has_role(current_user, ${sql.lit(ctx.appRole)}, 'MEMBER') THEN
            EXECUTE format('GRANT %I TO %I', ${sql.lit(ctx.appRole)}, current_user);
          END IF;
        END $$`.execute(db)
      await sql`GRANT USAGE ON SCHEMA public TO ${app}`.execute(db)
      // In prod the server checks for pending migrations at start; with no separate owner URL it
      // does so on its own restricted login.
      await sql`GRANT SELECT ON kysely_migration TO ${app}`.execute(db)

      await sql`
        CREATE TABLE tenants (
          id uuid PRIMARY KEY,
          slug text NOT NULL,
          name text NOT NULL,
          region text NOT NULL,
          status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'terminated')),
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db)
      await sql`CREATE UNIQUE INDEX tenants_slug_key ON tenants (slug)`.execute(db)

      await sql`
        CREATE TABLE users (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          email text NOT NULL,
          email_normalized text NOT NULL,
          password_hash text,
          role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer', 'auditor')),
          status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated')),
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now(),
          last_sign_in_at timestamptz
        )`.execute(db)
      await sql`CREATE UNIQUE INDEX users_tenant_email_key ON users (tenant_id, email_normalized)`.execute(
        db,
      )

      await sql`
        CREATE TABLE sessions (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          user_id uuid NOT NULL REFERENCES users (id),
          token_hash text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          last_seen_at timestamptz NOT NULL DEFAULT now(),
          expires_at timestamptz NOT NULL,
          ip text,
          user_agent text,
          revoked_at timestamptz,
          revoked_reason text
        )`.execute(db)
      await sql`CREATE UNIQUE INDEX sessions_token_hash_key ON sessions (token_hash)`.execute(db)
      await sql`CREATE INDEX sessions_tenant_user_idx ON sessions (tenant_id, user_id)`.execute(db)

      // The tenants table is keyed by id rather than tenant_id.
      await enableTenantIsolation(db, ctx.appRole, 'tenants', 'id')
      await enableTenantIsolation(db, ctx.appRole, 'users')
      await enableTenantIsolation(db, ctx.appRole, 'sessions')
      await sql`GRANT SELECT, INSERT, UPDATE ON tenants TO ${app}`.execute(db)
      await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON users, sessions TO ${app}`.execute(db)

      // Two gateways lead from a public identifier or a secret to a tenant id, before any tenant
      // context exists: the organisation slug typed at sign-in, and the hash of a session token.
      // They return the tenant id only; everything else is then read under row-level security.
      await sql`
        CREATE FUNCTION rampart_tenant_by_slug(p_slug text) RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$ SELECT id FROM tenants WHERE slug = p_slug AND status = 'active' $$`.execute(db)
      await sql`
        CREATE FUNCTION rampart_tenant_by_session(p_token_hash text) RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$ SELECT tenant_id FROM sessions WHERE token_hash = p_token_hash AND revoked_at IS NULL $$`.execute(
        db,
      )
      for (const fn of ['rampart_tenant_by_slug(text)', 'rampart_tenant_by_session(text)']) {
        await sql`REVOKE ALL ON FUNCTION ${sql.raw(fn)} FROM PUBLIC`.execute(db)
        await sql`GRANT EXECUTE ON FUNCTION ${sql.raw(fn)} TO ${app}`.execute(db)
      }
    },
  }
}
