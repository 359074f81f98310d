// KMS-5, DATA-4: deleting a whole tenant, as a lifecycle. A request locks the tenant in
// `pending_deletion` for a delay (nobody can sign in or use a session; cancellable). Once due,
// completion shreds every version of its key (keys.service), then deletes its rows from every
// tenant table and leaves a `terminated` tombstone. Each step is audited in the platform's log and
// in the tenant's own, whose entries stay: they hold ids and codes only (LOG-6), and deleting them
// would break the signed, witnessed checkpoints that `rampart audit verify` checks (LOG-2).
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { withTenant, withTenantAsOwner } from '../../db/tenant.ts'
import { eventOrigin, recordEvent, recordPlatformEvent } from '../audit/audit.service.ts'
import { type AuditEvent, PLATFORM_LOG } from '../audit/events.ts'
import { shredTenantKey } from '../keys/keys.service.ts'
import { TenantErrors } from './errors.ts'
import {
  clearPendingDeletion,
  deleteTenantRows,
  listDueDeletions,
  lockTenant,
  markDeletionStarted,
  markPendingDeletion,
  type TenantTableGraph,
  tenantTableGraph,
  terminateTenant,
} from './tenant-deletion.repository.ts'
import type { TenantRow } from './tenants.table.ts'

export type DeletionContext = Pick<ServiceContext, 'config' | 'db' | 'keys'>

const DAY_MS = 86_400_000

/**
 * Tenant tables whose rows outlive the tenant: the audit logs (LOG-2). The application role can
 * only append to them, their events carry no personal data, and the platform must still be able
 * to prove what happened to the tenant, its deletion included.
 */
export const KEPT_TABLES: ReadonlySet<string> = new Set([
  'audit_heads',
  'audit_entries',
  'audit_nodes',
  'audit_checkpoints',
  'audit_queue',
])

function deletionEvent(tenantId: string, action: string, meta: RequestMeta): AuditEvent {
  return {
    category: 'tenant',
    action,
    outcome: 'success',
    actor: { type: 'system' },
    target: { type: 'tenant', id: tenantId },
    ...eventOrigin(meta),
  }
}

function refuseUnlessPending(tenant: TenantRow | undefined): asserts tenant is TenantRow {
  if (!tenant) throw TenantErrors.TENANT_NOT_FOUND()
  if (tenant.status === 'terminated') throw TenantErrors.TENANT_TERMINATED()
  if (tenant.status !== 'pending_deletion') throw TenantErrors.TENANT_DELETION_NOT_PENDING()
}

/**
 * Locks the tenant for deletion, due `delayMs` from now (the configured delay by default; 0 makes
 * it due at once). Sign-in, sessions and reset links stop working in the same commit.
 */
export async function requestTenantDeletion(
  ctx: DeletionContext,
  tenantId: string,
  options: { delayMs?: number },
  meta: RequestMeta,
): Promise<TenantRow> {
  const delayMs = options.delayMs ?? ctx.config.tenantDeletion.delayDays * DAY_MS
  if (!Number.isSafeInteger(delayMs) || delayMs < 0) {
    throw new RangeError('the deletion delay must be a whole, non-negative number of ms')
  }
  const tenant = await withTenant(ctx.db, tenantId, async (trx) => {
    const current = await lockTenant(trx, tenantId)
    if (!current) throw TenantErrors.TENANT_NOT_FOUND()
    if (current.status === 'terminated') throw TenantErrors.TENANT_TERMINATED()
    if (current.status === 'pending_deletion') throw TenantErrors.TENANT_DELETION_PENDING()
    const requestedAt = new Date()
    const row = await markPendingDeletion(trx, tenantId, {
      requestedAt,
      dueAt: new Date(requestedAt.getTime() + delayMs),
      previous: current.status,
    })
    await recordEvent(trx, tenantId, deletionEvent(tenantId, 'tenant_deletion.request', meta))
    return row
  })
  // The tenant's log may go quiet for good; the platform's keeps the whole story.
  await recordPlatformEvent(ctx.db, deletionEvent(tenantId, 'tenant_deletion.request', meta))
  return tenant
}

/** Gives the tenant back as it was before the request, while its deletion has not begun. */
export async function cancelTenantDeletion(
  ctx: DeletionContext,
  tenantId: string,
  meta: RequestMeta,
): Promise<TenantRow> {
  const tenant = await withTenant(ctx.db, tenantId, async (trx) => {
    const current = await lockTenant(trx, tenantId)
    refuseUnlessPending(current)
    // KMS-5: a tenant whose key is gone must not come back as if nothing happened; finishing the
    // deletion is the only way on (also after `rampart keys shred` run by hand).
    if (current.deletion_started_at || (await ctx.keys.status(tenantId)).shreddedAt) {
      throw TenantErrors.TENANT_DELETION_STARTED()
    }
    const row = await clearPendingDeletion(
      trx,
      tenantId,
      current.status_before_deletion ?? 'active',
    )
    await recordEvent(trx, tenantId, deletionEvent(tenantId, 'tenant_deletion.cancel', meta))
    return row
  })
  await recordPlatformEvent(ctx.db, deletionEvent(tenantId, 'tenant_deletion.cancel', meta))
  return tenant
}

/** Tenants whose delay has passed (what `--due` would complete; `--due --dry-run` prints it). */
export function dueDeletions(ctx: DeletionContext, now: Date = new Date()): Promise<TenantRow[]> {
  return listDueDeletions(ctx.db.db, now)
}

export interface CompletedDeletion {
  tenantId: string
  slug: string
  keyVersionsDestroyed: number
  rowsDeleted: number
  tables: number
}

/**
 * Tables in an order that deletes referencing rows before the rows they reference. Foreign keys
 * to kept tables or to `tenants` (the tombstone stays) impose nothing.
 */
export function deletionOrder(graph: TenantTableGraph): string[] {
  const remaining = new Set(graph.tables.filter((t) => !KEPT_TABLES.has(t)))
  const order: string[] = []
  while (remaining.size > 0) {
    const ready = [...remaining].filter(
      (t) =>
        !graph.references.some((r) => r.parent === t && r.child !== t && remaining.has(r.child)),
    )
    if (ready.length === 0) {
      throw new Error(`foreign keys form a cycle among ${[...remaining].sort().join(', ')}`)
    }
    for (const t of ready.sort()) {
      order.push(t)
      remaining.delete(t)
    }
  }
  return order
}

/**
 * Completes one due deletion: marks it begun (no cancel from then on), shreds every key version,
 * then deletes the rows and writes the tombstone in one transaction with its audit events. Each
 * step can be repeated, so a run that stopped half-way is finished by the next `--due`.
 * Needs the owner connection: the application role may not delete most tenant rows.
 */
export async function completeTenantDeletion(
  ctx: DeletionContext,
  tenantId: string,
  meta: RequestMeta,
  now: Date = new Date(),
): Promise<CompletedDeletion> {
  await withTenant(ctx.db, tenantId, async (trx) => {
    const current = await lockTenant(trx, tenantId)
    refuseUnlessPending(current)
    if (!current.deletion_due_at || current.deletion_due_at.getTime() > now.getTime()) {
      throw TenantErrors.TENANT_DELETION_PENDING(
        `The deletion is not due before ${current.deletion_due_at?.toISOString()}`,
      )
    }
    if (!current.deletion_started_at) await markDeletionStarted(trx, tenantId, new Date())
  })
  // KMS-5: first the key, so that even if the rows below survived a crash, nothing in them (or
  // in any backup of them) can be read again.
  const keyVersionsDestroyed = await shredTenantKey(ctx, tenantId, meta)
  return withTenantAsOwner(ctx.db, tenantId, async (trx) => {
    const current = await lockTenant(trx, tenantId)
    refuseUnlessPending(current)
    let rowsDeleted = 0
    const tables = deletionOrder(await tenantTableGraph(trx))
    for (const table of tables) rowsDeleted += await deleteTenantRows(trx, table, tenantId)
    await terminateTenant(trx, tenantId, new Date())
    const event = deletionEvent(tenantId, 'tenant.delete', meta)
    await recordEvent(trx, tenantId, event)
    await recordEvent(trx, PLATFORM_LOG, event)
    return {
      tenantId,
      slug: current.slug,
      keyVersionsDestroyed,
      rowsDeleted,
      tables: tables.length,
    }
  })
}

/** Completes every due deletion, oldest due first; one failing stops the run (exit 1, re-run). */
export async function completeDueDeletions(
  ctx: DeletionContext,
  meta: RequestMeta,
  options: { now?: Date; onDone?: (done: CompletedDeletion) => void } = {},
): Promise<CompletedDeletion[]> {
  const now = options.now ?? new Date()
  const done: CompletedDeletion[] = []
  for (const tenant of await dueDeletions(ctx, now)) {
    const result = await completeTenantDeletion(ctx, tenant.id, meta, now)
    options.onDone?.(result)
    done.push(result)
  }
  return done
}
