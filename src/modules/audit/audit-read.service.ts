// LOG-4: tenant owners, admins and auditors read their organisation's log: filtered pages,
// streamed exports, the latest signed checkpoint and inclusion and consistency proofs.
import type { Selectable } from 'kysely'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { type Trx, withTenant } from '../../db/tenant.ts'
import { assertCan } from '../access/permissions.ts'
import { actorOf, type Principal } from '../identity/sessions.service.ts'
import {
  checkpointAt,
  type EntryFilter,
  latestCheckpoint,
  leafAt,
  listEntries,
  loadSubtrees,
} from './audit.repository.ts'
import { eventOrigin, recordEventAlone, sequencePending } from './audit.service.ts'
import type { AuditCheckpointsTable } from './audit.table.ts'
import { type Checkpoint, logName } from './checkpoint.ts'
import { AuditErrors } from './errors.ts'
import type { AuditEvent } from './events.ts'
import {
  consistencyProof,
  EMPTY_ROOT,
  type Hash,
  inclusionProof,
  type SubtreeReader,
} from './merkle.ts'

/** A stored event as the API shows it: its leaf index and fields, without the format version. */
export type ListedEvent = AuditEvent & { index: number; time: string }

function toListed(row: { idx: string; event: string }): ListedEvent {
  const { v: _version, ...event } = JSON.parse(row.event) as ListedEvent & { v: number }
  return { ...event, index: Number(row.idx) }
}

export function encodeCursor(index: number): string {
  return Buffer.from(`a:${index}`).toString('base64url')
}

export function decodeCursor(cursor: string): number {
  const match = /^a:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (!match) throw AuditErrors.AUDIT_CURSOR_INVALID()
  return Number(match[1])
}

export async function listEvents(
  ctx: ServiceContext,
  principal: Principal,
  filter: EntryFilter,
  limit: number,
): Promise<{ events: ListedEvent[]; nextCursor: string | null }> {
  assertCan(principal, 'audit.read')
  // Read-your-writes: the reader's own recent actions are in the page, not a second later.
  await sequencePending(ctx.db, principal.tenantId)
  const rows = await withTenant(ctx.db, principal.tenantId, (trx) =>
    listEntries(trx, principal.tenantId, filter, limit + 1),
  )
  const page = rows.slice(0, limit).map(toListed)
  const last = page.at(-1)
  return { events: page, nextCursor: rows.length > limit && last ? encodeCursor(last.index) : null }
}

/**
 * Every matching event, newest first, a page at a time so memory stays flat. LOG-1: the export
 * itself is recorded in the organisation's log before the first event is handed out.
 */
export async function* exportEvents(
  ctx: ServiceContext,
  principal: Principal,
  filter: EntryFilter,
  meta: RequestMeta,
): AsyncGenerator<ListedEvent> {
  assertCan(principal, 'audit.read')
  await recordEventAlone(ctx.db, principal.tenantId, {
    category: 'data',
    action: 'audit.export',
    outcome: 'success',
    actor: actorOf(principal),
    target: { type: 'audit_log', id: principal.tenantId },
    ...eventOrigin(meta),
  })
  await sequencePending(ctx.db, principal.tenantId)
  let before = filter.before
  for (;;) {
    const rows = await withTenant(ctx.db, principal.tenantId, (trx) =>
      listEntries(trx, principal.tenantId, { ...filter, before }, 1_000),
    )
    for (const row of rows) yield toListed(row)
    if (rows.length < 1_000) return
    before = Number(rows.at(-1)?.idx)
  }
}

/**
 * Runs a proof twice: first to learn which subtrees it needs, then with them fetched at once.
 * The proof functions are pure, so the first run's placeholder hashes are simply discarded.
 */
export async function proveFromDatabase(
  trx: Trx,
  tenantId: string,
  prove: (read: SubtreeReader) => Promise<Hash[]>,
): Promise<Hash[]> {
  const wanted: { level: number; index: number }[] = []
  await prove((level, index) => {
    wanted.push({ level, index })
    return EMPTY_ROOT
  })
  const found = await loadSubtrees(trx, tenantId, wanted)
  return prove((level, index) => {
    const hash = found.get(`${level}/${index}`)
    if (!hash) throw new Error(`audit subtree ${level}/${index} missing`)
    return hash
  })
}

function toCheckpoint(tenantId: string, row: Selectable<AuditCheckpointsTable>): Checkpoint {
  return {
    log: logName(tenantId),
    size: Number(row.size),
    root: Buffer.from(row.root).toString('hex'),
    time: row.signed_at.toISOString(),
    keyId: row.key_id,
    signature: Buffer.from(row.signature).toString('base64'),
  }
}

export async function latestSignedCheckpoint(
  ctx: ServiceContext,
  principal: Principal,
  publicKey: string,
): Promise<{ checkpoint: Checkpoint; publicKey: string }> {
  assertCan(principal, 'audit.read')
  const row = await withTenant(ctx.db, principal.tenantId, (trx) =>
    latestCheckpoint(trx, principal.tenantId),
  )
  if (!row) throw AuditErrors.AUDIT_CHECKPOINT_NOT_FOUND()
  return {
    checkpoint: toCheckpoint(principal.tenantId, row),
    publicKey,
  }
}

/** The audit path of entry `index` to the signed checkpoint at `size` (latest by default). */
export async function entryInclusionProof(
  ctx: ServiceContext,
  principal: Principal,
  index: number,
  size: number | undefined,
) {
  assertCan(principal, 'audit.read')
  return withTenant(ctx.db, principal.tenantId, async (trx) => {
    const tenantId = principal.tenantId
    const leaf = await leafAt(trx, tenantId, index)
    if (!leaf) throw AuditErrors.AUDIT_ENTRY_NOT_FOUND()
    const row =
      size === undefined
        ? await latestCheckpoint(trx, tenantId, index + 1)
        : await checkpointAt(trx, tenantId, size)
    if (!row || Number(row.size) <= index) throw AuditErrors.AUDIT_CHECKPOINT_NOT_FOUND()
    const checkpoint = toCheckpoint(tenantId, row)
    const proof = await proveFromDatabase(trx, tenantId, (read) =>
      inclusionProof(read, index, checkpoint.size),
    )
    return {
      index,
      leafHash: Buffer.from(leaf.leaf_hash).toString('hex'),
      event: leaf.event,
      proof: proof.map((h) => h.toString('hex')),
      checkpoint,
    }
  })
}

/** Proof that the signed tree at `first` is a prefix of the signed tree at `second`. */
export async function treeConsistencyProof(
  ctx: ServiceContext,
  principal: Principal,
  first: number,
  second: number,
) {
  assertCan(principal, 'audit.read')
  if (first < 1 || first > second) throw AuditErrors.AUDIT_RANGE_INVALID()
  return withTenant(ctx.db, principal.tenantId, async (trx) => {
    const tenantId = principal.tenantId
    const [a, b] = [
      await checkpointAt(trx, tenantId, first),
      await checkpointAt(trx, tenantId, second),
    ]
    if (!a || !b) throw AuditErrors.AUDIT_CHECKPOINT_NOT_FOUND()
    const proof = await proveFromDatabase(trx, tenantId, (read) =>
      consistencyProof(read, first, second),
    )
    return {
      first: toCheckpoint(tenantId, a),
      second: toCheckpoint(tenantId, b),
      proof: proof.map((h) => h.toString('hex')),
    }
  })
}
