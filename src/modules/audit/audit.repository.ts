import { type Kysely, sql } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Trx } from '../../db/tenant.ts'
import type { StoredLog } from './log-check.ts'

/**
 * Queues one canonical event for a tenant's log in the caller's transaction: it commits or rolls
 * back with the action. The sequencer gives it its leaf index (sequencePending).
 */
export async function appendEntry(trx: Trx, tenantId: string, event: string): Promise<void> {
  await sql`SELECT rampart_audit_append(${tenantId}::uuid, ${event})`.execute(trx)
}

/** Integrates up to `limit` queued events of one log into its tree; how many it integrated. */
export async function sequenceBatch(trx: Trx, tenantId: string, limit: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT rampart_audit_sequence(${tenantId}::uuid, ${limit}) AS n`.execute(trx)
  return Number(rows[0]?.n ?? 0)
}

/** The logs that have queued events. */
export async function queuedLogs(trx: Trx): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT rampart_audit_queued_logs() AS id`.execute(trx)
  return rows.map((r) => r.id)
}

/** Every stored row of one log, as the checker reads them. */
export async function loadStoredLog(trx: Kysely<Database>, tenantId: string): Promise<StoredLog> {
  const [entries, nodes, head] = await Promise.all([
    trx
      .selectFrom('audit_entries')
      .select(['idx', 'leaf_hash', 'event'])
      .where('tenant_id', '=', tenantId)
      .orderBy('idx')
      .execute(),
    trx
      .selectFrom('audit_nodes')
      .select(['level', 'idx', 'hash'])
      .where('tenant_id', '=', tenantId)
      .execute(),
    trx
      .selectFrom('audit_heads')
      .select(['size', 'frontier'])
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst(),
  ])
  return {
    entries: entries.map((e) => ({
      idx: Number(e.idx),
      leafHash: Buffer.from(e.leaf_hash),
      event: e.event,
    })),
    nodes: nodes.map((n) => ({ level: n.level, idx: Number(n.idx), hash: Buffer.from(n.hash) })),
    // PGlite returns Uint8Array, pg returns Buffer: compare as Buffers either way.
    head: head
      ? { size: Number(head.size), frontier: head.frontier.map((h) => Buffer.from(h)) }
      : undefined,
  }
}

export interface PendingCheckpoint {
  tenantId: string
  size: number
  frontier: Buffer[]
}

/** Logs that grew since their last checkpoint, across tenants (hashes only). */
export async function pendingCheckpoints(db: Kysely<Database>): Promise<PendingCheckpoint[]> {
  const { rows } = await sql<{ tenant_id: string; size: string; frontier: Uint8Array[] }>`
    SELECT tenant_id, size, frontier FROM rampart_audit_pending_checkpoints()`.execute(db)
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    size: Number(r.size),
    frontier: r.frontier.map((h) => Buffer.from(h)),
  }))
}

export async function insertCheckpoint(
  db: Kysely<Database>,
  tenantId: string,
  c: { size: number; root: Buffer; signedAt: Date; keyId: string; signature: Buffer },
): Promise<void> {
  await sql`SELECT rampart_audit_add_checkpoint(${tenantId}::uuid, ${c.size}, ${c.root},
    ${c.signedAt}, ${c.keyId}, ${c.signature})`.execute(db)
}

export interface EntryFilter {
  from?: Date | undefined
  to?: Date | undefined
  actor?: string | undefined
  action?: string | undefined
  target?: string | undefined
  outcome?: 'success' | 'failure' | undefined
  /** Only entries with a lower index (pages run newest first). */
  before?: number | undefined
}

/** Entries newest first, filtered on the event's own fields. */
export async function listEntries(
  trx: Trx,
  tenantId: string,
  filter: EntryFilter,
  limit: number,
): Promise<{ idx: string; event: string; created_at: Date }[]> {
  const event = sql`event::jsonb`
  let query = trx
    .selectFrom('audit_entries')
    .select(['idx', 'event', 'created_at'])
    .where('tenant_id', '=', tenantId)
  if (filter.before !== undefined) query = query.where('idx', '<', String(filter.before))
  if (filter.from) query = query.where('created_at', '>=', filter.from)
  if (filter.to) query = query.where('created_at', '<', filter.to)
  if (filter.action) query = query.where(sql`${event} ->> 'action'`, '=', filter.action)
  if (filter.outcome) query = query.where(sql`${event} ->> 'outcome'`, '=', filter.outcome)
  if (filter.actor) query = query.where(sql`${event} -> 'actor' ->> 'id'`, '=', filter.actor)
  if (filter.target) query = query.where(sql`${event} -> 'target' ->> 'id'`, '=', filter.target)
  return query.orderBy('idx', 'desc').limit(limit).execute()
}

export async function latestCheckpoint(trx: Trx, tenantId: string, atLeast = 1) {
  return trx
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('size', '>=', String(atLeast))
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export async function checkpointAt(trx: Trx, tenantId: string, size: number) {
  return trx
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('size', '=', String(size))
    .executeTakeFirst()
}

export async function leafAt(trx: Trx, tenantId: string, idx: number) {
  return trx
    .selectFrom('audit_entries')
    .select(['leaf_hash', 'event'])
    .where('tenant_id', '=', tenantId)
    .where('idx', '=', String(idx))
    .executeTakeFirst()
}

/**
 * Complete subtree hashes for proofs: leaves from the entries, higher levels from the nodes. The
 * proof's subtrees are worked out first and fetched in two queries, not one query each.
 */
export async function loadSubtrees(
  trx: Trx,
  tenantId: string,
  wanted: readonly { level: number; index: number }[],
): Promise<Map<string, Buffer>> {
  const leaves = wanted.filter((w) => w.level === 0).map((w) => String(w.index))
  const nodes = wanted.filter((w) => w.level > 0)
  const found = new Map<string, Buffer>()
  if (leaves.length > 0) {
    const rows = await trx
      .selectFrom('audit_entries')
      .select(['idx', 'leaf_hash'])
      .where('tenant_id', '=', tenantId)
      .where('idx', 'in', leaves)
      .execute()
    for (const r of rows) found.set(`0/${r.idx}`, Buffer.from(r.leaf_hash))
  }
  if (nodes.length > 0) {
    const rows = await trx
      .selectFrom('audit_nodes')
      .select(['level', 'idx', 'hash'])
      .where('tenant_id', '=', tenantId)
      .where((eb) =>
        eb.or(
          nodes.map((n) => eb.and([eb('level', '=', n.level), eb('idx', '=', String(n.index))])),
        ),
      )
      .execute()
    for (const r of rows) found.set(`${r.level}/${r.idx}`, Buffer.from(r.hash))
  }
  return found
}
