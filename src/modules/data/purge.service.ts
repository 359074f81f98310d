// DATA-4: the purge. Deleted collections and records stay locked (invisible, restorable) until
// purge_after; then the `data-purge` job deletes them for good, tenant by tenant, in bounded
// batches of one transaction each, so a large collection never holds one long transaction and
// a stop between batches leaves nothing half done. DATA-2, LOG-1: each purged collection gets an
// event, and each batch of records an event per collection (events hold ids, not counts); the
// grants on a purged collection go with it, each removal recorded.

import { sql } from 'kysely'
import type { ServiceContext } from '../../context.ts'
import { type Trx, withAppRole, withTenant } from '../../db/tenant.ts'
import { databaseNow } from '../../jobs/jobs.repository.ts'
import { removeGrantsOnResource } from '../access/grants.service.ts'
import { recordEvent } from '../audit/audit.service.ts'
import { collectionsDueForPurge, deleteCollection } from './collections.repository.ts'
import { COLLECTION_TYPE } from './collections.service.ts'
import {
  deleteRecordsById,
  recordIdsOfCollection,
  recordsDueForPurge,
} from './records.repository.ts'
import { recordEventOf } from './records.service.ts'

const SYSTEM = { type: 'system' } as const
/** Organisations handled per run; the rest wait for the next run. */
const TENANTS_PER_RUN = 1_000
export const PURGE_BATCH = 500

export interface PurgeOptions {
  now?: Date
  batchSize?: number
  signal?: AbortSignal
  log?: { error(details: object, message: string): void }
}

export interface PurgeReport {
  tenants: number
  collections: number
  records: number
  /** Organisations whose turn failed; the next run tries them again. */
  failed: number
}

async function tenantsWithPurgeWork(trx: Trx, now: Date): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM rampart_data_purge_due(${now}::timestamptz, ${TENANTS_PER_RUN}::int) AS id`.execute(
    trx,
  )
  return rows.map((r) => r.id)
}

async function recordsPurgedEvent(
  trx: Trx,
  tenantId: string,
  collectionId: string,
  reason: 'lock_expired' | 'collection_purged',
): Promise<void> {
  await recordEvent(trx, tenantId, {
    ...recordEventOf('record.purge', SYSTEM, collectionId, undefined, undefined),
    reason,
  })
}

/** Individually deleted records past their lock, batch by batch. */
async function purgeRecords(
  ctx: ServiceContext,
  tenantId: string,
  now: Date,
  batchSize: number,
  signal: AbortSignal | undefined,
): Promise<number> {
  let purged = 0
  for (;;) {
    if (signal?.aborted) return purged
    const n = await withTenant(ctx.db, tenantId, async (trx) => {
      const due = await recordsDueForPurge(trx, tenantId, now, batchSize)
      await deleteRecordsById(
        trx,
        tenantId,
        due.map((r) => r.id),
      )
      for (const collectionId of new Set(due.map((r) => r.collection_id))) {
        await recordsPurgedEvent(trx, tenantId, collectionId, 'lock_expired')
      }
      return due.length
    })
    purged += n
    if (n < batchSize) return purged
  }
}

/**
 * One collection past its lock: its records in batches, then the collection with its schema
 * history and grants. Each step re-checks under a row lock that the collection is still due
 * (restoring is refused once purge_after has passed, so none comes back half purged).
 */
async function purgeCollection(
  ctx: ServiceContext,
  tenantId: string,
  collectionId: string,
  now: Date,
  batchSize: number,
): Promise<{ done: boolean; records: number }> {
  let records = 0
  for (;;) {
    const step = await withTenant(ctx.db, tenantId, async (trx) => {
      const due = await collectionsDueForPurge(trx, tenantId, now, batchSize, collectionId)
      if (due.length === 0) return { gone: true, n: 0 }
      const ids = await recordIdsOfCollection(trx, tenantId, collectionId, batchSize)
      if (ids.length > 0) {
        await deleteRecordsById(trx, tenantId, ids)
        await recordsPurgedEvent(trx, tenantId, collectionId, 'collection_purged')
        return { gone: false, n: ids.length }
      }
      await removeGrantsOnResource(trx, tenantId, COLLECTION_TYPE, collectionId, SYSTEM)
      await deleteCollection(trx, tenantId, collectionId)
      await recordEvent(trx, tenantId, {
        category: 'data',
        action: 'collection.purge',
        outcome: 'success',
        reason: 'lock_expired',
        actor: SYSTEM,
        target: { type: COLLECTION_TYPE, id: collectionId },
      })
      return { gone: true, n: -1 }
    })
    if (step.n > 0) records += step.n
    if (step.gone) return { done: step.n === -1, records }
  }
}

export async function purgeTenant(
  ctx: ServiceContext,
  tenantId: string,
  options: PurgeOptions = {},
): Promise<{ collections: number; records: number }> {
  const now =
    options.now ?? (await withAppRole(ctx.db.db, ctx.db.appRole, (trx) => databaseNow(trx)))
  const batchSize = options.batchSize ?? PURGE_BATCH
  let records = await purgeRecords(ctx, tenantId, now, batchSize, options.signal)
  let collections = 0
  for (;;) {
    if (options.signal?.aborted) break
    const due = await withTenant(ctx.db, tenantId, (trx) =>
      collectionsDueForPurge(trx, tenantId, now, batchSize),
    )
    if (due.length === 0) break
    for (const collectionId of due) {
      if (options.signal?.aborted) break
      const result = await purgeCollection(ctx, tenantId, collectionId, now, batchSize)
      records += result.records
      if (result.done) collections++
    }
    if (due.length < batchSize) break
  }
  return { collections, records }
}

/** Every organisation with purge work, one after the other; one failing stops no other. */
export async function purgeDueData(
  ctx: ServiceContext,
  options: PurgeOptions = {},
): Promise<PurgeReport> {
  // The database's clock, which restores compare with too (DATA-4): with each node's own, a
  // restore on a node whose clock lags could slip in between the batches of a purge.
  const { now, tenants } = await withAppRole(ctx.db.db, ctx.db.appRole, async (trx) => {
    const at = options.now ?? (await databaseNow(trx))
    return { now: at, tenants: await tenantsWithPurgeWork(trx, at) }
  })
  const report: PurgeReport = { tenants: 0, collections: 0, records: 0, failed: 0 }
  for (const tenantId of tenants) {
    if (options.signal?.aborted) break
    try {
      const done = await purgeTenant(ctx, tenantId, { ...options, now })
      report.tenants++
      report.collections += done.collections
      report.records += done.records
    } catch (err) {
      report.failed++
      options.log?.error({ err, tenantId }, 'data purge failed for an organisation')
    }
  }
  return report
}

export function describePurgeReport(report: PurgeReport): string {
  return `purged ${report.collections} collection(s) and ${report.records} record(s) in ${report.tenants} organisation(s)`
}
