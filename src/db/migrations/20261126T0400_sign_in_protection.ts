// IAM-3: failure counters for sign-in, per account and per known device, counted before the
// password is verified so parallel guesses cannot get past the limit.
import { type Kysely, sql } from 'kysely'
import { enableTenantIsolation } from '../rls.ts'
import type { MigrationContext } from './index.ts'

export function signInProtection(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // One row per account that has had a sign-in attempt: the consecutive failures (attempts
      // in flight count as failures until they succeed), the lock and how many locks so far,
      // which makes each lock longer than the last.
      await sql`
        CREATE TABLE sign_in_guards (
          tenant_id uuid NOT NULL,
          user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
          locked_until timestamptz,
          lockouts integer NOT NULL DEFAULT 0 CHECK (lockouts >= 0),
          PRIMARY KEY (tenant_id, user_id)
        )`.execute(db)
      // Browsers that signed in successfully before, known by a long-lived cookie whose hash is
      // stored: each keeps its own counter, so an attacker locking the account from elsewhere
      // does not lock its owner out of their own device.
      await sql`
        CREATE TABLE known_devices (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL,
          user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          token_hash text NOT NULL UNIQUE,
          failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
          locked_until timestamptz,
          lockouts integer NOT NULL DEFAULT 0 CHECK (lockouts >= 0),
          created_at timestamptz NOT NULL DEFAULT now(),
          last_used_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db)
      await sql`CREATE INDEX known_devices_user_idx ON known_devices (tenant_id, user_id)`.execute(
        db,
      )
      for (const table of ['sign_in_guards', 'known_devices']) {
        await enableTenantIsolation(db, ctx.appRole, table)
        await sql`GRANT SELECT, INSERT, UPDATE ON ${sql.id(table)} TO ${app}`.execute(db)
      }
    },
  }
}
