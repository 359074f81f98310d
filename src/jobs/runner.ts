// One run of one job under its lease: claim, run while renewing, record the outcome, release.
// A run that throws records its (scrubbed) error and releases like any other; a node that dies
// mid-run simply stops renewing, and the lease runs out for another node to take over.

import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { ServiceContext } from '../context.ts'
import { withAppRole } from '../db/tenant.ts'
import { messageForLog } from '../http/logging.ts'
import { DEFAULT_LEASE_MS, type JobDefinition, type JobLog } from './job.ts'
import { claimJob, ensureJob, findJobRow, releaseJob, renewLease } from './jobs.repository.ts'
import type { JobRow } from './jobs.table.ts'
import { firstDue, nextDueAfter } from './schedule.ts'

export type RunResult =
  | { ran: true; outcome: 'success'; summary: string | undefined; durationMs: number }
  | { ran: true; outcome: 'failure'; error: string; durationMs: number }
  | { ran: false; reason: 'leased'; holder: string; leaseExpiresAt: Date }
  | { ran: false; reason: 'not_due'; nextDueAt: Date }

export interface RunOptions {
  /** Who claims: one id per runner (`newHolder()`). */
  holder: string
  log: JobLog
  /** Run even if not due (`rampart jobs run`); a live lease is still respected. */
  force?: boolean
  /** Aborted when the runner stops; passed on to the job. */
  signal?: AbortSignal
}

/** `host:pid:random`: which node and process holds a lease, unique per runner. */
export function newHolder(): string {
  return `${hostname().slice(0, 120)}:${process.pid}:${randomUUID().slice(0, 8)}`
}

const MAX_ERROR_CHARS = 500

/**
 * LOG-6: a failure as stored and logged: the error's code or name and its message on one line,
 * with anything that looks like an e-mail address removed, at most 500 characters.
 */
export function describeJobError(err: unknown): string {
  const e = (err ?? {}) as { code?: unknown; name?: unknown; message?: unknown }
  const label =
    typeof e.code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(e.code)
      ? e.code
      : typeof e.name === 'string' && /^[A-Za-z]{1,40}$/.test(e.name)
        ? e.name
        : 'Error'
  const message = typeof e.message === 'string' ? e.message : typeof err === 'string' ? err : ''
  const cleaned = messageForLog(message)
  return `${label}${cleaned ? `: ${cleaned}` : ''}`.slice(0, MAX_ERROR_CHARS)
}

/** Makes the rows of the given jobs, so they can be claimed and listed. */
export async function registerJobs(
  ctx: Pick<ServiceContext, 'db'>,
  jobs: readonly JobDefinition[],
  now: Date = new Date(),
): Promise<void> {
  await withAppRole(ctx.db.db, ctx.db.appRole, async (trx) => {
    for (const job of jobs) {
      await ensureJob(trx, job.name, {
        firstDue: firstDue(job.schedule, now),
        latestDue: nextDueAfter(job.schedule, now),
      })
    }
  })
}

/** Renews the lease every third of its length until stopped; aborts `lost` if it is gone. */
function keepLease(
  ctx: ServiceContext,
  job: JobDefinition,
  holder: string,
  leaseMs: number,
  lost: AbortController,
  log: JobLog,
): { stop(): Promise<void> } {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let renewing: Promise<void> = Promise.resolve()
  const renew = () => {
    renewing = withAppRole(ctx.db.db, ctx.db.appRole, (trx) =>
      renewLease(trx, job.name, holder, leaseMs),
    )
      .then(
        (held) => {
          if (held) return
          log.warn({ job: job.name, holder }, 'job lease lost to another node; stopping the run')
          lost.abort(new Error(`the lease of job ${job.name} was lost`))
        },
        // The database may be back before the lease runs out; try again on the next beat.
        (err: unknown) =>
          log.warn({ job: job.name, err: describeJobError(err) }, 'lease renewal failed'),
      )
      .finally(() => {
        if (!stopped && !lost.signal.aborted) timer = setTimeout(renew, Math.max(50, leaseMs / 3))
      })
  }
  timer = setTimeout(renew, Math.max(50, leaseMs / 3))
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await renewing
    },
  }
}

const CLAIM_ATTEMPTS = 3

/**
 * Tries to take the lease; null when taken, else why not. A row that another caller has only just
 * made, or a lease released meanwhile, is tried again a few times before giving up.
 */
async function claim(
  ctx: ServiceContext,
  job: JobDefinition,
  holder: string,
  leaseMs: number,
  force: boolean,
): Promise<Extract<RunResult, { ran: false }> | null> {
  const { db, appRole } = ctx.db
  let current: JobRow | undefined
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
    if (await withAppRole(db, appRole, (trx) => claimJob(trx, job.name, holder, leaseMs, force))) {
      return null
    }
    current = await withAppRole(db, appRole, (trx) => findJobRow(trx, job.name))
    if (!current) {
      await registerJobs(ctx, [job])
      continue
    }
    if (current.lease_holder && current.lease_expires_at) break
    if (!force && current.next_due_at.getTime() > Date.now()) break
  }
  if (current?.lease_holder && current.lease_expires_at) {
    return {
      ran: false,
      reason: 'leased',
      holder: current.lease_holder,
      leaseExpiresAt: current.lease_expires_at,
    }
  }
  return { ran: false, reason: 'not_due', nextDueAt: current?.next_due_at ?? new Date() }
}

/**
 * Runs `job` once if this caller wins its lease (and, unless `force`, it is due). Resolves to what
 * happened; throws only when the database could not record it.
 */
export async function runJob(
  ctx: ServiceContext,
  job: JobDefinition,
  options: RunOptions,
): Promise<RunResult> {
  const { holder, log } = options
  const leaseMs = job.leaseMs ?? DEFAULT_LEASE_MS
  const refused = await claim(ctx, job, holder, leaseMs, options.force === true)
  if (refused) return refused

  const started = Date.now()
  log.info({ job: job.name, holder }, 'job started')
  const lost = new AbortController()
  const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal
  const lease = keepLease(ctx, job, holder, leaseMs, lost, log)
  let result: Extract<RunResult, { ran: true }>
  try {
    const summary = await job.run({ ...ctx, signal, log })
    result = { ran: true, outcome: 'success', summary, durationMs: Date.now() - started }
  } catch (err) {
    result = {
      ran: true,
      outcome: 'failure',
      error: describeJobError(err),
      durationMs: Date.now() - started,
    }
  } finally {
    await lease.stop()
  }

  const released = await withAppRole(ctx.db.db, ctx.db.appRole, (trx) =>
    releaseJob(trx, job.name, holder, {
      outcome: result.outcome,
      error: result.outcome === 'failure' ? result.error : null,
      nextDueAt: nextDueAfter(job.schedule, new Date()),
    }),
  )
  const details = { job: job.name, holder, durationMs: result.durationMs }
  if (!released) log.warn(details, 'job finished after its lease passed on; outcome not recorded')
  if (result.outcome === 'failure') log.error({ ...details, error: result.error }, 'job failed')
  else log.info({ ...details, summary: result.summary }, 'job finished')
  return result
}
