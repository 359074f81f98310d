// LOG-1, LOG-2: appends no longer wait for each other. An action's transaction only queues its
// event (still in the same transaction, so nothing commits without its entry); a sequencer then
// integrates queued events into the Merkle tree in batches, one transaction per batch, in the
// style of Certificate Transparency logs (Trillian's sequencer). Before, every append held its
// log's head row until commit, so one organisation's log took about 580 appends a second.
import { type Kysely, sql } from 'kysely'
import { enableTenantIsolation } from '../rls.ts'
import type { MigrationContext } from './index.ts'

export function auditSequencer(ctx: MigrationContext) {
  const app = sql.id(ctx.appRole)
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // Queued events, in the order their inserts were made. The application role has no
      // privilege on it: it queues through rampart_audit_append and cannot read, change or
      // remove what is queued.
      await sql`
        CREATE TABLE audit_queue (
          seq bigserial PRIMARY KEY,
          tenant_id uuid NOT NULL,
          event text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db)
      await sql`CREATE INDEX audit_queue_log_idx ON audit_queue (tenant_id, seq)`.execute(db)
      await enableTenantIsolation(db, ctx.appRole, 'audit_queue')

      await sql`
        CREATE OR REPLACE FUNCTION rampart_audit_append(p_tenant uuid, p_event text) RETURNS bigint
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
        DECLARE
          v_seq bigint;
        BEGIN
          IF p_tenant = '00000000-0000-0000-0000-000000000000' THEN
            IF coalesce(current_setting('rampart.audit_platform', true), '') <> 'on' THEN
              RAISE EXCEPTION 'platform audit log outside platform context' USING ERRCODE = '42501';
            END IF;
          ELSIF coalesce(nullif(current_setting('rampart.tenant_id', true), '')::uuid <> p_tenant, true) THEN
            RAISE EXCEPTION 'audit append for another tenant' USING ERRCODE = '42501';
          END IF;
          INSERT INTO audit_queue (tenant_id, event) VALUES (p_tenant, p_event)
            RETURNING seq INTO v_seq;
          RETURN v_seq;
        END $$`.execute(db)

      // Integrates up to p_limit queued events of one log, oldest first: leaf hashes, entries,
      // completed subtree nodes and the head, exactly as appends did one at a time. The head row
      // lock makes concurrent sequencers (several nodes) take turns; each sees only committed
      // queue rows and removes the ones it integrated in the same transaction.
      await sql`
        CREATE FUNCTION rampart_audit_sequence(p_tenant uuid, p_limit integer) RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
        DECLARE
          v_size bigint;
          v_frontier bytea[];
          v_hash bytea;
          v_level smallint;
          v_idx bigint;
          v_n int;
          v_count int := 0;
          v_seqs bigint[] := '{}';
          r record;
        BEGIN
          INSERT INTO audit_heads (tenant_id, size, frontier) VALUES (p_tenant, 0, '{}')
            ON CONFLICT DO NOTHING;
          SELECT size, frontier INTO v_size, v_frontier FROM audit_heads
            WHERE tenant_id = p_tenant FOR UPDATE;
          FOR r IN SELECT seq, event, created_at FROM audit_queue
              WHERE tenant_id = p_tenant ORDER BY seq LIMIT p_limit LOOP
            v_hash := sha256('\\x00'::bytea || convert_to(r.event, 'UTF8'));
            INSERT INTO audit_entries (tenant_id, idx, leaf_hash, event, created_at)
              VALUES (p_tenant, v_size, v_hash, r.event, r.created_at);
            v_idx := v_size;
            v_level := 0;
            WHILE v_idx % 2 = 1 LOOP
              v_n := cardinality(v_frontier);
              v_hash := sha256('\\x01'::bytea || v_frontier[v_n] || v_hash);
              v_frontier := v_frontier[1:v_n - 1];
              v_level := v_level + 1;
              v_idx := v_idx / 2;
              INSERT INTO audit_nodes (tenant_id, level, idx, hash)
                VALUES (p_tenant, v_level, v_idx, v_hash);
            END LOOP;
            v_frontier := v_frontier || v_hash;
            v_size := v_size + 1;
            v_seqs := v_seqs || r.seq;
            v_count := v_count + 1;
          END LOOP;
          IF v_count > 0 THEN
            DELETE FROM audit_queue WHERE seq = ANY (v_seqs);
            UPDATE audit_heads SET size = v_size, frontier = v_frontier WHERE tenant_id = p_tenant;
          END IF;
          RETURN v_count;
        END $$`.execute(db)

      // The logs with queued events (ids only), for the sequencer loop.
      await sql`
        CREATE FUNCTION rampart_audit_queued_logs() RETURNS SETOF uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$ SELECT DISTINCT tenant_id FROM audit_queue $$`.execute(db)

      for (const fn of ['rampart_audit_sequence(uuid, integer)', 'rampart_audit_queued_logs()']) {
        await sql`REVOKE ALL ON FUNCTION ${sql.raw(fn)} FROM PUBLIC`.execute(db)
        await sql`GRANT EXECUTE ON FUNCTION ${sql.raw(fn)} TO ${app}`.execute(db)
      }
    },
  }
}
