// The scheduler each node runs: it wakes when the earliest job falls due (at least every
// `maxSleepMs`, to see what other nodes did), tries to claim each due job, and runs what it won.
// Different jobs run side by side; one job never runs twice at once, here or on any other node.
import type { ServiceContext } from '../context.ts'
import { withAppRole } from '../db/tenant.ts'
import type { JobDefinition, JobLog } from './job.ts'
import { JOB_NAME } from './job.ts'
import { listJobRows } from './jobs.repository.ts'
import type { JobRow } from './jobs.table.ts'
import { describeJobError, newHolder, registerJobs, runJob } from './runner.ts'
import { assertValidSchedule } from './schedule.ts'

export interface SchedulerOptions {
  log: JobLog
  /** This node's lease holder id; a fresh one by default. */
  holder?: string
  /** The longest sleep between looks at the jobs table. */
  maxSleepMs?: number
}

export interface Scheduler {
  readonly holder: string
  /** Stops claiming, asks running jobs to stop (their signal), and waits for them. */
  stop(): Promise<void>
}

const DEFAULT_MAX_SLEEP_MS = 5_000
const MIN_SLEEP_MS = 50

/** Throws on a bad name, a repeated name or a bad schedule: mistakes in the registry. */
export function assertValidJobs(jobs: readonly JobDefinition[]): void {
  const seen = new Set<string>()
  for (const job of jobs) {
    if (!JOB_NAME.test(job.name)) throw new RangeError(`bad job name ${JSON.stringify(job.name)}`)
    if (seen.has(job.name)) throw new RangeError(`job ${job.name} is defined twice`)
    seen.add(job.name)
    assertValidSchedule(job.name, job.schedule)
  }
}

/** When to look again: the earliest due time or lease end of the jobs not running here. */
function sleepFor(
  rows: readonly JobRow[],
  runningHere: ReadonlySet<string>,
  maxMs: number,
): number {
  let earliest = Date.now() + maxMs
  for (const row of rows) {
    if (runningHere.has(row.name)) continue
    const at = Math.max(row.next_due_at.getTime(), row.lease_expires_at?.getTime() ?? 0)
    earliest = Math.min(earliest, at)
  }
  return Math.min(maxMs, Math.max(MIN_SLEEP_MS, earliest - Date.now()))
}

export function startScheduler(
  ctx: ServiceContext,
  jobs: readonly JobDefinition[],
  options: SchedulerOptions,
): Scheduler {
  assertValidJobs(jobs)
  const { log } = options
  const holder = options.holder ?? newHolder()
  const maxSleepMs = options.maxSleepMs ?? DEFAULT_MAX_SLEEP_MS
  const byName = new Map(jobs.map((job) => [job.name, job]))
  const running = new Map<string, Promise<void>>()
  const stopping = new AbortController()
  let registered = false
  let timer: NodeJS.Timeout | undefined
  /** A look is scheduled and not yet begun (so it may be brought forward). */
  let waiting = false
  let ticking: Promise<void> = Promise.resolve()

  const sleep = (ms: number) => {
    clearTimeout(timer)
    waiting = true
    timer = setTimeout(() => {
      waiting = false
      loop()
    }, ms)
  }
  // A finished job may be due again sooner than the next look (short intervals).
  const wake = () => {
    if (waiting && !stopping.signal.aborted) sleep(0)
  }

  const launch = (job: JobDefinition) => {
    const run = runJob(ctx, job, { holder, log, signal: stopping.signal })
      .then(
        () => undefined,
        (err: unknown) =>
          log.error({ job: job.name, err: describeJobError(err) }, 'job run could not be recorded'),
      )
      .finally(() => {
        running.delete(job.name)
        wake()
      })
    running.set(job.name, run)
  }

  const tick = async (): Promise<number> => {
    if (!registered) {
      await registerJobs(ctx, jobs)
      registered = true
    }
    const rows = await withAppRole(ctx.db.db, ctx.db.appRole, (trx) =>
      listJobRows(trx, [...byName.keys()]),
    )
    const now = Date.now()
    for (const row of rows) {
      const job = byName.get(row.name)
      if (!job || running.has(row.name) || stopping.signal.aborted) continue
      const leased = row.lease_expires_at && row.lease_expires_at.getTime() > now
      // Only a hint: the claim decides, on the database's clock.
      if (!leased && row.next_due_at.getTime() <= now) launch(job)
    }
    return sleepFor(rows, new Set(running.keys()), maxSleepMs)
  }

  const loop = () => {
    ticking = tick()
      .then(
        (sleepMs) => sleepMs,
        (err: unknown) => {
          log.error({ err: describeJobError(err) }, 'job scheduler tick failed')
          return maxSleepMs
        },
      )
      .then((sleepMs) => {
        if (!stopping.signal.aborted) sleep(sleepMs)
      })
  }
  sleep(0)

  return {
    holder,
    async stop() {
      stopping.abort(new Error('the job scheduler is stopping'))
      clearTimeout(timer)
      waiting = false
      await ticking
      await Promise.all(running.values())
    },
  }
}
