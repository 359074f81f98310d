// `rampart jobs list|run`: the leased background jobs (src/jobs/). `run` takes the job's lease
// like any node would, so it never runs beside a server's run of the same job.
import type { Config } from '../config/config.ts'
import { withKeyServices } from '../crypto/key-services.ts'
import type { DatabaseHandle } from '../db/connection.ts'
import { withAppRole } from '../db/tenant.ts'
import type { JobLog } from '../jobs/job.ts'
import { listJobRows } from '../jobs/jobs.repository.ts'
import type { JobRow } from '../jobs/jobs.table.ts'
import { findJobDefinition, rampartJobs } from '../jobs/registry.ts'
import { newHolder, runJob } from '../jobs/runner.ts'
import { describeSchedule } from '../jobs/schedule.ts'
import { asOwner, openConfiguredDatabase, prepareSchema } from '../server.ts'
import type { CliIo } from './io.ts'

/** EX_USAGE: no such job. */
const EXIT_UNKNOWN_JOB = 2
/** EX_TEMPFAIL: another holder has the lease; try again later. */
const EXIT_JOB_BUSY = 75

async function withJobsDatabase<T>(
  config: Config,
  fn: (db: DatabaseHandle) => Promise<T>,
): Promise<T> {
  // Jobs do what the server does, so they run on its connection, not the schema owner's.
  const db = await openConfiguredDatabase(config, 'runtime')
  try {
    await asOwner(config, db, (owner) => prepareSchema(config, owner))
    return await fn(db)
  } finally {
    await db.close()
  }
}

function cliLog(io: CliIo): JobLog {
  return {
    info: () => {},
    warn: (_details, message) => io.err(`warning: ${message}`),
    error: (_details, message) => io.err(`error: ${message}`),
  }
}

const when = (d: Date | null | undefined) => d?.toISOString() ?? '-'

export async function jobsList(
  config: Config,
  options: { json?: boolean },
  io: CliIo,
): Promise<number> {
  const jobs = rampartJobs()
  const rows = await withJobsDatabase(config, (db) =>
    withAppRole(db.db, db.appRole, (trx) =>
      listJobRows(
        trx,
        jobs.map((j) => j.name),
      ),
    ),
  )
  const byName = new Map<string, JobRow>(rows.map((r) => [r.name, r]))
  const listed = jobs.map((job) => {
    const row = byName.get(job.name)
    return {
      name: job.name,
      description: job.description,
      schedule: describeSchedule(job.schedule),
      lastStartedAt: row?.last_started_at ?? null,
      lastFinishedAt: row?.last_finished_at ?? null,
      outcome: row?.last_outcome ?? null,
      error: row?.last_error ?? null,
      nextDueAt: row?.next_due_at ?? null,
      leaseHolder: row?.lease_holder ?? null,
      leaseExpiresAt: row?.lease_expires_at ?? null,
    }
  })
  if (options.json) {
    io.out(JSON.stringify(listed))
    return 0
  }
  io.out('name\tschedule\tlast run\toutcome\tnext due\trunning on')
  for (const j of listed) {
    const outcome = j.outcome ? (j.error ? `${j.outcome}: ${j.error}` : j.outcome) : 'never run'
    io.out(
      `${j.name}\t${j.schedule}\t${when(j.lastStartedAt)}\t${outcome}\t${when(j.nextDueAt)}\t${j.leaseHolder ?? '-'}`,
    )
  }
  return 0
}

/** Runs one job now, due or not; refuses while another holder's lease is live. */
export async function jobsRun(config: Config, name: string, io: CliIo): Promise<number> {
  const job = findJobDefinition(name)
  if (!job) {
    io.err(`no job named ${JSON.stringify(name)}; the jobs are:`)
    for (const j of rampartJobs()) io.err(`  ${j.name}\t${j.description}`)
    return EXIT_UNKNOWN_JOB
  }
  const result = await withJobsDatabase(config, (db) =>
    withKeyServices(config.keys, (keys) =>
      runJob({ config, db, keys: keys.keyring }, job, {
        holder: newHolder(),
        log: cliLog(io),
        force: true,
      }),
    ),
  )
  if (!result.ran) {
    // force skips the due check, so only a live lease refuses.
    const busy = result.reason === 'leased' ? result : null
    io.err(
      `job ${name} is running on ${busy?.holder ?? 'another node'} (lease until ${when(busy?.leaseExpiresAt)}); try again later`,
    )
    return EXIT_JOB_BUSY
  }
  if (result.outcome === 'failure') {
    io.err(`job ${name} failed after ${result.durationMs} ms: ${result.error}`)
    return 1
  }
  io.out(
    `job ${name} done in ${result.durationMs} ms${result.summary ? `: ${result.summary}` : ''}`,
  )
  return 0
}
