// AUTHZ-2: groups, their members, and grants of the form (group, resource type, resource id,
// permission). Generic on purpose: the data module grants collections and dashboards through the
// same table. No grant, no access: nothing here is implied by a role.
import { type Kysely, sql } from 'kysely'
import { enableTenantIsolation } from '../rls.ts'
import type { MigrationContext } from './index.ts'

export function groups(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // AUTHZ-5: lets a membership name its user together with the tenant, so the database itself
      // refuses a member from another organisation (row-level security does not cover the
      // foreign-key look-up). IF NOT EXISTS: another migration may key users the same way.
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS users_tenant_id_id_key ON users (tenant_id, id)`.execute(
        db,
      )
      await sql`
        CREATE TABLE groups (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
          name_normalized text NOT NULL,
          description text CHECK (description IS NULL OR char_length(description) <= 500),
          created_by uuid REFERENCES users (id) ON DELETE SET NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now(),
          UNIQUE (tenant_id, id)
        )`.execute(db)
      await sql`CREATE UNIQUE INDEX groups_name_key ON groups (tenant_id, name_normalized)`.execute(
        db,
      )
      await sql`
        CREATE TABLE group_members (
          tenant_id uuid NOT NULL,
          group_id uuid NOT NULL,
          user_id uuid NOT NULL,
          added_by uuid REFERENCES users (id) ON DELETE SET NULL,
          added_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (tenant_id, group_id, user_id),
          FOREIGN KEY (tenant_id, group_id) REFERENCES groups (tenant_id, id) ON DELETE CASCADE,
          FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
        )`.execute(db)
      await sql`CREATE INDEX group_members_user_idx ON group_members (tenant_id, user_id)`.execute(
        db,
      )
      await sql`
        CREATE TABLE group_grants (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL,
          group_id uuid NOT NULL,
          resource_type text NOT NULL CHECK (resource_type ~ '^[a-z][a-z_]{0,31}$'),
          resource_id uuid NOT NULL,
          permission text NOT NULL CHECK (permission ~ '^[a-z][a-z_]{0,31}$'),
          created_by uuid REFERENCES users (id) ON DELETE SET NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          FOREIGN KEY (tenant_id, group_id) REFERENCES groups (tenant_id, id) ON DELETE CASCADE
        )`.execute(db)
      await sql`
        CREATE UNIQUE INDEX group_grants_key
        ON group_grants (tenant_id, group_id, resource_type, resource_id, permission)`.execute(db)
      await sql`
        CREATE INDEX group_grants_resource_idx
        ON group_grants (tenant_id, resource_type, resource_id)`.execute(db)
      for (const table of ['groups', 'group_members', 'group_grants']) {
        await enableTenantIsolation(db, ctx.appRole, table)
      }
      // A group is renamed or described, never moved: only those columns can be updated (and the
      // UPDATE privilege is what lets a transaction lock the row while it adds members or grants).
      // Members and grants are added and removed, never changed.
      await sql`GRANT SELECT, INSERT, DELETE ON groups TO ${app}`.execute(db)
      await sql`
        GRANT UPDATE (name, name_normalized, description, updated_at) ON groups TO ${app}`.execute(
        db,
      )
      await sql`GRANT SELECT, INSERT, DELETE ON group_members, group_grants TO ${app}`.execute(db)
    },
  }
}
