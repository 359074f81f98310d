// LOG-1, LOG-2: per-tenant append-only audit logs hashed as RFC 6962 Merkle trees.
import { type Kysely, sql } from 'kysely'
import { enableTenantIsolation } from '../rls.ts'
import type { MigrationContext } from './index.ts'

export function audit(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // One row per log: its size and the roots of its complete subtrees from the left (the
      // "frontier"), which is all an append needs, in O(log n).
      await sql`
        CREATE TABLE audit_heads (
          tenant_id uuid PRIMARY KEY,
          size bigint NOT NULL,
          frontier bytea[] NOT NULL
        )`.execute(db)
      // The entries: the canonical event text exactly as hashed, and its leaf hash.
      await sql`
        CREATE TABLE audit_entries (
          tenant_id uuid NOT NULL,
          idx bigint NOT NULL,
          leaf_hash bytea NOT NULL,
          event text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (tenant_id, idx)
        )`.execute(db)
      // Complete subtrees above the leaves (level >= 1), written as they complete: proofs read
      // O(log n) of them instead of rehashing the log.
      await sql`
        CREATE TABLE audit_nodes (
          tenant_id uuid NOT NULL,
          level smallint NOT NULL,
          idx bigint NOT NULL,
          hash bytea NOT NULL,
          PRIMARY KEY (tenant_id, level, idx)
        )`.execute(db)
      await sql`
        CREATE TABLE audit_checkpoints (
          tenant_id uuid NOT NULL,
          size bigint NOT NULL,
          root bytea NOT NULL,
          signed_at timestamptz NOT NULL,
          key_id text NOT NULL,
          signature bytea NOT NULL,
          PRIMARY KEY (tenant_id, size)
        )`.execute(db)
      await sql`CREATE INDEX audit_entries_time_idx ON audit_entries (tenant_id, created_at)`.execute(
        db,
      )

      for (const table of ['audit_heads', 'audit_entries', 'audit_nodes', 'audit_checkpoints']) {
        await enableTenantIsolation(db, ctx.appRole, table)
        // LOG-2: the application role reads; it never updates, deletes or truncates. Appends go
        // through the function below, which keeps entries, nodes and head in step.
        await sql`GRANT SELECT ON ${sql.id(table)} TO ${app}`.execute(db)
      }

      // The platform's own log (sign-in attempts for unknown organisations, operator actions)
      // uses the nil uuid, reachable only in a transaction that set rampart.audit_platform.
      await sql`
        CREATE FUNCTION rampart_audit_append(p_tenant uuid, p_event text) RETURNS bigint
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
        DECLARE
          v_size bigint;
          v_frontier bytea[];
          v_hash bytea;
          v_left bytea;
          v_level smallint := 0;
          v_idx bigint;
          v_n int;
        BEGIN
          IF p_tenant = '00000000-0000-0000-0000-000000000000' THEN
            IF coalesce(current_setting('rampart.audit_platform', true), '') <> 'on' THEN
              RAISE EXCEPTION 'platform audit log outside platform context' USING ERRCODE = '42501';
            END IF;
          ELSIF coalesce(nullif(current_setting('rampart.tenant_id', true), '')::uuid <> p_tenant, true) THEN
            RAISE EXCEPTION 'audit append for another tenant' USING ERRCODE = '42501';
          END IF;
          SELECT size, frontier INTO v_size, v_frontier FROM audit_heads
            WHERE tenant_id = p_tenant FOR UPDATE;
          IF NOT FOUND THEN
            INSERT INTO audit_heads (tenant_id, size, frontier) VALUES (p_tenant, 0, '{}')
              ON CONFLICT DO NOTHING;
            SELECT size, frontier INTO v_size, v_frontier FROM audit_heads
              WHERE tenant_id = p_tenant FOR UPDATE;
          END IF;
          v_hash := sha256('\\x00'::bytea || convert_to(p_event, 'UTF8'));
          INSERT INTO audit_entries (tenant_id, idx, leaf_hash, event)
            VALUES (p_tenant, v_size, v_hash, p_event);
          v_idx := v_size;
          WHILE v_idx % 2 = 1 LOOP
            v_n := cardinality(v_frontier);
            v_left := v_frontier[v_n];
            v_frontier := v_frontier[1:v_n - 1];
            v_hash := sha256('\\x01'::bytea || v_left || v_hash);
            v_level := v_level + 1;
            v_idx := v_idx / 2;
            INSERT INTO audit_nodes (tenant_id, level, idx, hash) VALUES (p_tenant, v_level, v_idx, v_hash);
          END LOOP;
          UPDATE audit_heads SET size = v_size + 1, frontier = v_frontier || v_hash
            WHERE tenant_id = p_tenant;
          RETURN v_size;
        END $$`.execute(db)

      // The checkpointer runs across tenants: it sees which logs grew since their last
      // checkpoint (sizes and subtree hashes only, never events) and adds signed checkpoints.
      await sql`
        CREATE FUNCTION rampart_audit_pending_checkpoints()
        RETURNS TABLE (tenant_id uuid, size bigint, frontier bytea[])
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
          SELECT h.tenant_id, h.size, h.frontier FROM audit_heads h
          WHERE h.size > coalesce(
            (SELECT max(c.size) FROM audit_checkpoints c WHERE c.tenant_id = h.tenant_id), 0)
        $$`.execute(db)
      await sql`
        CREATE FUNCTION rampart_audit_add_checkpoint(
          p_tenant uuid, p_size bigint, p_root bytea, p_signed_at timestamptz,
          p_key_id text, p_signature bytea) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
        DECLARE
          v_size bigint;
        BEGIN
          SELECT size INTO v_size FROM audit_heads WHERE tenant_id = p_tenant;
          IF v_size IS NULL OR p_size < 1 OR p_size > v_size THEN
            RAISE EXCEPTION 'checkpoint beyond the log' USING ERRCODE = '22023';
          END IF;
          INSERT INTO audit_checkpoints (tenant_id, size, root, signed_at, key_id, signature)
            VALUES (p_tenant, p_size, p_root, p_signed_at, p_key_id, p_signature)
            ON CONFLICT DO NOTHING;
        END $$`.execute(db)
      for (const fn of [
        'rampart_audit_append(uuid, text)',
        'rampart_audit_pending_checkpoints()',
        'rampart_audit_add_checkpoint(uuid, bigint, bytea, timestamptz, text, bytea)',
      ]) {
        await sql`REVOKE ALL ON FUNCTION ${sql.raw(fn)} FROM PUBLIC`.execute(db)
        await sql`GRANT EXECUTE ON FUNCTION ${sql.raw(fn)} TO ${app}`.execute(db)
      }
    },
  }
}
