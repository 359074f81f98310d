// The jobs table: leases and last runs. Platform level (no tenant); callers run these inside
// withAppRole. Lease times use the database's clock, the one clock every node shares.
import { sql } from 'kysely'
import type { Trx } from '../db/tenant.ts'
import type { JobRow } from './jobs.table.ts'

function leaseEnd(leaseMs: number) {
  return sql<Date>`now() + ${leaseMs} * interval '1 millisecond'`
}

/**
 * Makes the job's row on first sight, due at `firstDue`. A row that exists keeps its due time
 * unless the current schedule wants it sooner (`latestDue`), so a shortened schedule applies at
 * once and a restart does not make every job due.
 */
export async function ensureJob(
  trx: Trx,
  name: string,
  due: { firstDue: Date; latestDue: Date },
): Promise<void> {
  await trx
    .insertInto('jobs')
    .values({ name, next_due_at: due.firstDue })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({
        next_due_at: sql<Date>`least(jobs.next_due_at, ${due.latestDue}::timestamptz)`,
      }),
    )
    .execute()
}

/**
 * Takes the lease with one atomic UPDATE: it matches only while no unexpired lease exists (and,
 * unless `force`, the job is due), so of any number of nodes racing for it, exactly one gets the
 * row back. PostgreSQL re-checks the condition on the row a concurrent winner committed.
 */
export async function claimJob(
  trx: Trx,
  name: string,
  holder: string,
  leaseMs: number,
  force: boolean,
): Promise<JobRow | undefined> {
  return trx
    .updateTable('jobs')
    .set({ lease_holder: holder, lease_expires_at: leaseEnd(leaseMs), last_started_at: sql`now()` })
    .where('name', '=', name)
    .where((eb) =>
      eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', sql<Date>`now()`)]),
    )
    .$if(!force, (qb) => qb.where('next_due_at', '<=', sql<Date>`now()`))
    .returningAll()
    .executeTakeFirst()
}

/** Extends the holder's lease; false once someone else holds it (or nobody does). */
export async function renewLease(
  trx: Trx,
  name: string,
  holder: string,
  leaseMs: number,
): Promise<boolean> {
  const result = await trx
    .updateTable('jobs')
    .set({ lease_expires_at: leaseEnd(leaseMs) })
    .where('name', '=', name)
    .where('lease_holder', '=', holder)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export interface RunRecord {
  outcome: 'success' | 'failure'
  error: string | null
  nextDueAt: Date
}

/** Records the run's end and frees the lease; false when the lease had passed to another. */
export async function releaseJob(
  trx: Trx,
  name: string,
  holder: string,
  record: RunRecord,
): Promise<boolean> {
  const result = await trx
    .updateTable('jobs')
    .set({
      lease_holder: null,
      lease_expires_at: null,
      last_finished_at: sql`now()`,
      last_outcome: record.outcome,
      last_error: record.error,
      next_due_at: record.nextDueAt,
    })
    .where('name', '=', name)
    .where('lease_holder', '=', holder)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function findJobRow(trx: Trx, name: string): Promise<JobRow | undefined> {
  return trx.selectFrom('jobs').selectAll().where('name', '=', name).executeTakeFirst()
}

export async function listJobRows(trx: Trx, names: readonly string[]): Promise<JobRow[]> {
  if (names.length === 0) return []
  return trx
    .selectFrom('jobs')
    .selectAll()
    .where('name', 'in', [...names])
    .orderBy('name')
    .execute()
}

/** The database's clock, for deciding what is due the way claimJob will. */
export async function databaseNow(trx: Trx): Promise<Date> {
  const { rows } = await sql<{ now: Date }>`SELECT now() AS now`.execute(trx)
  return rows[0]?.now ?? new Date()
}
