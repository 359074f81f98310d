// DATA-1, KMS-2, DATA-4: a tenant's own business data. A collection is a typed, classified schema
// (its history kept version by version); a record holds public and internal values in `data`, and
// personal and sensitive values only as field ciphertext in `sealed`. The data-subject field also
// gets a keyed blind index, so one subject's records are found by equality without decrypting.
// Deletion locks a row (deleted_at, purge_after) before the purge job removes it for good.
import { type Kysely, sql } from 'kysely'
import { enableTenantIsolation } from '../rls.ts'
import type { MigrationContext } from './index.ts'

export function collections(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        CREATE TABLE collections (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
          name_normalized text NOT NULL,
          description text CHECK (description IS NULL OR char_length(description) <= 500),
          schema_version integer NOT NULL DEFAULT 1 CHECK (schema_version >= 1),
          fields jsonb NOT NULL CHECK (jsonb_typeof(fields) = 'array'),
          subject_field text,
          created_by uuid REFERENCES users (id) ON DELETE SET NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now(),
          deleted_at timestamptz,
          deleted_by uuid REFERENCES users (id) ON DELETE SET NULL,
          purge_after timestamptz,
          CHECK ((deleted_at IS NULL) = (purge_after IS NULL)),
          UNIQUE (tenant_id, id)
        )`.execute(db)
      // Names are unique among live collections; a locked one keeps its name until restored.
      await sql`
        CREATE UNIQUE INDEX collections_name_key ON collections (tenant_id, name_normalized)
        WHERE deleted_at IS NULL`.execute(db)
      await sql`
        CREATE INDEX collections_purge_idx ON collections (purge_after)
        WHERE deleted_at IS NOT NULL`.execute(db)
      await sql`
        CREATE TABLE collection_versions (
          tenant_id uuid NOT NULL,
          collection_id uuid NOT NULL,
          version integer NOT NULL CHECK (version >= 1),
          fields jsonb NOT NULL CHECK (jsonb_typeof(fields) = 'array'),
          subject_field text,
          changed_by uuid REFERENCES users (id) ON DELETE SET NULL,
          changed_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (tenant_id, collection_id, version),
          FOREIGN KEY (tenant_id, collection_id) REFERENCES collections (tenant_id, id)
            ON DELETE CASCADE
        )`.execute(db)
      await sql`
        CREATE TABLE records (
          id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL,
          collection_id uuid NOT NULL,
          data jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(data) = 'object'),
          sealed jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(sealed) = 'object'),
          subject_index bytea,
          subject_key_version integer,
          revision integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
          created_by uuid REFERENCES users (id) ON DELETE SET NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
          updated_at timestamptz NOT NULL DEFAULT now(),
          deleted_at timestamptz,
          deleted_by uuid REFERENCES users (id) ON DELETE SET NULL,
          purge_after timestamptz,
          CHECK ((deleted_at IS NULL) = (purge_after IS NULL)),
          CHECK ((subject_index IS NULL) = (subject_key_version IS NULL)),
          UNIQUE (tenant_id, id),
          FOREIGN KEY (tenant_id, collection_id) REFERENCES collections (tenant_id, id)
            ON DELETE CASCADE
        )`.execute(db)
      // The default list order (newest first, id as tie-break) for live records.
      await sql`
        CREATE INDEX records_list_idx ON records (tenant_id, collection_id, created_at DESC, id DESC)
        WHERE deleted_at IS NULL`.execute(db)
      await sql`
        CREATE INDEX records_subject_idx ON records (tenant_id, collection_id, subject_index)
        WHERE subject_index IS NOT NULL`.execute(db)
      await sql`
        CREATE INDEX records_deleted_idx ON records (tenant_id, collection_id, deleted_at DESC)
        WHERE deleted_at IS NOT NULL`.execute(db)
      await sql`
        CREATE INDEX records_purge_idx ON records (purge_after)
        WHERE deleted_at IS NOT NULL`.execute(db)
      for (const table of ['collections', 'collection_versions', 'records']) {
        await enableTenantIsolation(db, ctx.appRole, table)
      }
      // A collection's id and tenant never change; schema history is only ever added to.
      await sql`GRANT SELECT, INSERT, DELETE ON collections, records TO ${app}`.execute(db)
      await sql`
        GRANT UPDATE (name, name_normalized, description, schema_version, fields, subject_field,
          updated_at, deleted_at, deleted_by, purge_after) ON collections TO ${app}`.execute(db)
      await sql`
        GRANT UPDATE (data, sealed, subject_index, subject_key_version, revision, updated_by,
          updated_at, deleted_at, deleted_by, purge_after) ON records TO ${app}`.execute(db)
      await sql`GRANT SELECT, INSERT ON collection_versions TO ${app}`.execute(db)
      // DATA-4: the purge job serves every tenant: this gateway names the tenants with locked
      // collections or records whose lock ran out by p_now (ids only); the rows are then read
      // and deleted under row-level security.
      await sql`
        CREATE FUNCTION rampart_data_purge_due(p_now timestamptz, p_limit integer)
        RETURNS SETOF uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
          SELECT tenant_id FROM (
            SELECT tenant_id FROM collections WHERE deleted_at IS NOT NULL AND purge_after <= p_now
            UNION
            SELECT tenant_id FROM records WHERE deleted_at IS NOT NULL AND purge_after <= p_now
          ) due ORDER BY tenant_id LIMIT p_limit
        $$`.execute(db)
      await sql`REVOKE ALL ON FUNCTION rampart_data_purge_due(timestamptz, integer) FROM PUBLIC`.execute(
        db,
      )
      await sql`GRANT EXECUTE ON FUNCTION rampart_data_purge_due(timestamptz, integer) TO ${app}`.execute(
        db,
      )
    },
  }
}
