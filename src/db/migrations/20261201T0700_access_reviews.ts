// AUTHZ-4 and the leased job runner: access reviews with their snapshots, and jobs.
import { type Kysely, sql } from 'kysely'
import { enableTenantIsolation } from '../rls.ts'
import type { MigrationContext } from './index.ts'

export function accessReviews(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // Platform level, one row per job definition: no tenant data, so no row-level security.
      // Several nodes share it; a node runs a job only while it holds the unexpired lease it took
      // with one atomic UPDATE (src/jobs/jobs.repository.ts). last_error holds a scrubbed message.
      await sql`
        CREATE TABLE jobs (
          name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9-]{0,62}$'),
          lease_holder text CHECK (char_length(lease_holder) BETWEEN 1 AND 200),
          lease_expires_at timestamptz,
          last_started_at timestamptz,
          last_finished_at timestamptz,
          last_outcome text CHECK (last_outcome IN ('success', 'failure')),
          last_error text CHECK (char_length(last_error) <= 500),
          next_due_at timestamptz NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          CHECK ((lease_holder IS NULL) = (lease_expires_at IS NULL))
        )`.execute(db)
      // Rows are made on first sight of a definition and never removed by the application.
      await sql`GRANT SELECT, INSERT ON jobs TO ${app}`.execute(db)
      await sql`
        GRANT UPDATE (lease_holder, lease_expires_at, last_started_at, last_finished_at,
          last_outcome, last_error, next_due_at)
        ON jobs TO ${app}`.execute(db)

      // The organisation's review schedule; no row means the deployment's interval. The CHECK
      // holds the bounds of every deployment (ACCESS_REVIEW_INTERVAL_BOUNDS); this deployment's
      // lower maximum is configuration, so the service refuses more and the schedule caps it.
      await sql`
        CREATE TABLE access_review_settings (
          tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
          interval_days integer NOT NULL CHECK (interval_days BETWEEN 7 AND 365),
          updated_by uuid,
          updated_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db)

      // User ids here carry no foreign keys on purpose: a review is evidence and must outlive
      // the accounts it names (opened_by is null when the schedule opened it).
      await sql`
        CREATE TABLE access_reviews (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed')),
          opened_by uuid,
          opened_at timestamptz NOT NULL,
          due_at timestamptz NOT NULL,
          completed_at timestamptz,
          completed_by uuid,
          reminded_at timestamptz,
          item_count integer NOT NULL CHECK (item_count >= 0),
          kept_count integer NOT NULL DEFAULT 0 CHECK (kept_count >= 0),
          revoked_count integer NOT NULL DEFAULT 0 CHECK (revoked_count >= 0),
          CHECK (kept_count + revoked_count <= item_count),
          CHECK ((status = 'completed') = (completed_at IS NOT NULL)),
          CHECK (status = 'open' OR kept_count + revoked_count = item_count),
          UNIQUE (tenant_id, id)
        )`.execute(db)
      // One open review per organisation, whatever races the application loses.
      await sql`
        CREATE UNIQUE INDEX access_reviews_one_open ON access_reviews (tenant_id)
        WHERE status = 'open'`.execute(db)
      await sql`
        CREATE INDEX access_reviews_tenant_opened_idx ON access_reviews (tenant_id, opened_at)`.execute(
        db,
      )

      await sql`
        CREATE TABLE access_review_items (
          tenant_id uuid NOT NULL,
          review_id uuid NOT NULL,
          user_id uuid NOT NULL,
          email text NOT NULL,
          role text NOT NULL,
          user_status text NOT NULL,
          user_created_at timestamptz NOT NULL,
          group_names text[] NOT NULL,
          last_sign_in_at timestamptz,
          mfa_totp boolean NOT NULL,
          mfa_passkeys integer NOT NULL CHECK (mfa_passkeys >= 0),
          mfa_recovery_codes integer NOT NULL CHECK (mfa_recovery_codes >= 0),
          live_sessions integer NOT NULL CHECK (live_sessions >= 0),
          last_seen_at timestamptz,
          known_devices integer NOT NULL CHECK (known_devices >= 0),
          live_api_keys integer NOT NULL CHECK (live_api_keys >= 0),
          decision text CHECK (decision IN ('keep', 'revoke')),
          decided_by uuid,
          decided_at timestamptz,
          note text CHECK (char_length(note) <= 500),
          PRIMARY KEY (tenant_id, review_id, user_id),
          FOREIGN KEY (tenant_id, review_id) REFERENCES access_reviews (tenant_id, id),
          CHECK ((decision IS NULL) = (decided_at IS NULL) AND (decision IS NULL) = (decided_by IS NULL))
        )`.execute(db)

      // Evidence stays as completed: once a review is completed neither it nor its items change,
      // whoever writes (the application role has no DELETE on either table at all).
      await sql`
        CREATE FUNCTION rampart_access_review_frozen() RETURNS trigger
        LANGUAGE plpgsql SET search_path = public, pg_temp
        AS $$
        BEGIN
          IF TG_TABLE_NAME = 'access_reviews' THEN
            IF OLD.status = 'completed' THEN
              RAISE EXCEPTION 'a completed access review cannot change' USING ERRCODE = '55000';
            END IF;
          ELSIF EXISTS (SELECT 1 FROM access_reviews r WHERE r.tenant_id = OLD.tenant_id
              AND r.id = OLD.review_id AND r.status = 'completed') THEN
            RAISE EXCEPTION 'a completed access review cannot change' USING ERRCODE = '55000';
          END IF;
          RETURN NEW;
        END $$`.execute(db)
      for (const table of ['access_reviews', 'access_review_items']) {
        await sql`
          CREATE TRIGGER ${sql.id(`${table}_frozen`)} BEFORE UPDATE ON ${sql.id(table)}
          FOR EACH ROW EXECUTE FUNCTION rampart_access_review_frozen()`.execute(db)
      }

      for (const table of ['access_review_settings', 'access_reviews', 'access_review_items']) {
        await enableTenantIsolation(db, ctx.appRole, table)
        await sql`GRANT SELECT, INSERT ON ${sql.id(table)} TO ${app}`.execute(db)
      }
      await sql`
        GRANT UPDATE (interval_days, updated_by, updated_at) ON access_review_settings TO ${app}`.execute(
        db,
      )
      await sql`
        GRANT UPDATE (status, completed_at, completed_by, reminded_at, item_count, kept_count,
          revoked_count)
        ON access_reviews TO ${app}`.execute(db)
      await sql`
        GRANT UPDATE (decision, decided_by, decided_at, note) ON access_review_items TO ${app}`.execute(
        db,
      )

      // The schedule job serves every organisation: this gateway names those with work to do
      // (ids only), a review to open or an overdue one to remind of; the job then re-checks and
      // acts under row-level security. A tenant's interval counts from its last review opened,
      // or from its creation before its first. p_max_days is the deployment's interval: the
      // interval of a tenant without its own, and the cap on one saved above a since-lowered
      // maximum (as effectiveIntervalDays in access-reviews.service.ts).
      await sql`
        CREATE FUNCTION rampart_access_reviews_due(p_max_days integer, p_limit integer)
        RETURNS SETOF uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
          SELECT t.id FROM tenants t
          LEFT JOIN access_review_settings s ON s.tenant_id = t.id
          LEFT JOIN access_reviews o ON o.tenant_id = t.id AND o.status = 'open'
          WHERE t.status = 'active' AND (
            (o.id IS NULL AND coalesce(
                (SELECT max(r.opened_at) FROM access_reviews r WHERE r.tenant_id = t.id),
                t.created_at)
              + make_interval(days => least(coalesce(s.interval_days, p_max_days), p_max_days))
              <= now())
            OR (o.id IS NOT NULL AND o.due_at <= now()
              AND (o.reminded_at IS NULL OR o.reminded_at <= now() - interval '1 day')))
          ORDER BY t.id LIMIT p_limit
        $$`.execute(db)
      await sql`REVOKE ALL ON FUNCTION rampart_access_reviews_due(integer, integer) FROM PUBLIC`.execute(
        db,
      )
      await sql`GRANT EXECUTE ON FUNCTION rampart_access_reviews_due(integer, integer) TO ${app}`.execute(
        db,
      )
    },
  }
}
