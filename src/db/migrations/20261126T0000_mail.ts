// The mail outbox: e-mails are queued in the transaction of the action that sends them, so a mail
// commits with its action or not at all, and a delivery loop sends them later, retrying while the
// SMTP server is unreachable. Nothing is lost when SMTP is down (LOG-6: bodies and addresses stay
// out of logs; last_error holds error codes only).
import { type Kysely, sql } from 'kysely'
import { enableTenantIsolation } from '../rls.ts'
import type { MigrationContext } from './index.ts'

export function mail(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        CREATE TABLE mail_outbox (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          to_address text NOT NULL CHECK (char_length(to_address) BETWEEN 3 AND 254),
          template text NOT NULL CHECK (template ~ '^[a-z][a-z0-9_.-]{0,63}$'),
          subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 200),
          body_text text NOT NULL,
          body_html text,
          status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
          attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
          next_attempt_at timestamptz NOT NULL DEFAULT now(),
          last_error text CHECK (char_length(last_error) <= 500),
          created_at timestamptz NOT NULL DEFAULT now(),
          sent_at timestamptz
        )`.execute(db)
      // The delivery loop's only look-up: due pending mail, oldest first.
      await sql`
        CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at)
        WHERE status = 'pending'`.execute(db)
      await sql`CREATE INDEX mail_outbox_tenant_idx ON mail_outbox (tenant_id, created_at)`.execute(
        db,
      )

      await enableTenantIsolation(db, ctx.appRole, 'mail_outbox')
      await sql`GRANT SELECT, INSERT ON mail_outbox TO ${app}`.execute(db)
      // Recipient, template, subject and creation stay as queued; delivery changes the state
      // and clears the bodies once they are no longer needed.
      await sql`
        GRANT UPDATE (status, attempts, next_attempt_at, last_error, sent_at, body_text, body_html)
        ON mail_outbox TO ${app}`.execute(db)

      // The delivery loop serves every tenant: this gateway names the tenants with mail due (ids
      // only); the mail itself is then claimed and read under row-level security.
      await sql`
        CREATE FUNCTION rampart_mail_due_tenants(p_limit integer) RETURNS SETOF uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
          SELECT tenant_id FROM mail_outbox
          WHERE status = 'pending' AND next_attempt_at <= now()
          GROUP BY tenant_id ORDER BY min(next_attempt_at) LIMIT p_limit
        $$`.execute(db)
      await sql`REVOKE ALL ON FUNCTION rampart_mail_due_tenants(integer) FROM PUBLIC`.execute(db)
      await sql`GRANT EXECUTE ON FUNCTION rampart_mail_due_tenants(integer) TO ${app}`.execute(db)
    },
  }
}
