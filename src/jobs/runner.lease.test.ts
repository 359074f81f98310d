// AV-3: with several nodes on one database, a job runs on one of them at a time. The lease is
// taken with one atomic UPDATE: of N runners racing for a job exactly one runs it; a live lease
// is renewed while the job runs and refuses everyone else; an expired one (a node that died) is
// taken over; a run that throws records its error and releases the lease.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testConfig } from '../../test/support/app.ts'
import { openTestDatabase, type TestDatabase } from '../../test/support/database.ts'
import type { ServiceContext } from '../context.ts'
import { type KeyServices, openKeyServices } from '../crypto/key-services.ts'
import type { JobDefinition, JobLog } from './job.ts'
import type { JobRow } from './jobs.table.ts'
import { describeJobError, newHolder, registerJobs, runJob } from './runner.ts'

let database: TestDatabase
let keys: KeyServices
let ctx: ServiceContext

const quiet: JobLog = { info() {}, warn() {}, error() {} }

beforeAll(async () => {
  const config = testConfig()
  database = await openTestDatabase()
  keys = await openKeyServices(config.keys)
  ctx = { config, db: database.handle, keys: keys.keyring }
})
afterAll(async () => {
  await keys.close()
  await database.dispose()
})

let counter = 0
function jobNamed(prefix: string, run: JobDefinition['run'], leaseMs?: number): JobDefinition {
  counter += 1
  return {
    name: `${prefix}-${counter}`,
    description: 'test job',
    schedule: { everyMs: 3_600_000 },
    ...(leaseMs ? { leaseMs } : {}),
    run,
  }
}

async function row(name: string): Promise<JobRow> {
  return database.handle.db
    .selectFrom('jobs')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirstOrThrow()
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve = () => {}
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

describe('job leases', () => {
  it('AV-3: of 8 runners racing for a due job, exactly one runs it; the others see it leased or done', async () => {
    let runs = 0
    const job = jobNamed('race', async () => {
      runs += 1
      await new Promise((r) => setTimeout(r, 50))
      return 'ran'
    })
    await registerJobs(ctx, [job])
    const results = await Promise.all(
      Array.from({ length: 8 }, () => runJob(ctx, job, { holder: newHolder(), log: quiet })),
    )
    expect(runs).toBe(1)
    expect(results.filter((r) => r.ran)).toHaveLength(1)
    for (const r of results.filter((r) => !r.ran)) {
      expect(['leased', 'not_due']).toContain(r.ran ? '' : r.reason)
    }
    const after = await row(job.name)
    expect(after).toMatchObject({ lease_holder: null, last_outcome: 'success', last_error: null })
    // Due again an interval after it finished.
    const gap = after.next_due_at.getTime() - (after.last_finished_at?.getTime() ?? 0)
    expect(Math.abs(gap - 3_600_000)).toBeLessThan(5_000)
  })

  it('AV-3: forced runs (the CLI) race too: while one runs, every other is refused, naming the holder', async () => {
    let runs = 0
    const release = deferred()
    const job = jobNamed('forced', async () => {
      runs += 1
      await release.promise
      return undefined
    })
    const holders = Array.from({ length: 6 }, () => newHolder())
    const attempts = holders.map((holder) => runJob(ctx, job, { holder, log: quiet, force: true }))
    // Every attempt but the winner's settles while the winner is still running.
    const settled = await Promise.race([
      Promise.allSettled(attempts),
      new Promise((r) => setTimeout(r, 2_000)).then(() => 'timeout'),
    ])
    expect(settled).toBe('timeout')
    const running = await row(job.name)
    expect(holders).toContain(running.lease_holder)
    release.resolve()
    const results = await Promise.all(attempts)
    expect(runs).toBe(1)
    const refused = results.filter((r) => !r.ran)
    expect(refused).toHaveLength(5)
    for (const r of refused) {
      expect(r).toMatchObject({ ran: false, reason: 'leased', holder: running.lease_holder })
    }
  })

  it('AV-3: a lease left by a node that died is taken over once it has expired', async () => {
    let runs = 0
    const job = jobNamed('takeover', async () => {
      runs += 1
      return undefined
    })
    await registerJobs(ctx, [job])
    await sql`UPDATE jobs SET lease_holder = 'dead-node:1:0000', lease_expires_at = now() + interval '1 hour'
      WHERE name = ${job.name}`.execute(database.handle.db)
    const refused = await runJob(ctx, job, { holder: newHolder(), log: quiet, force: true })
    expect(refused).toMatchObject({ ran: false, reason: 'leased', holder: 'dead-node:1:0000' })
    expect(runs).toBe(0)

    await sql`UPDATE jobs SET lease_expires_at = now() - interval '1 second'
      WHERE name = ${job.name}`.execute(database.handle.db)
    const holder = newHolder()
    const taken = await runJob(ctx, job, { holder, log: quiet })
    expect(taken).toMatchObject({ ran: true, outcome: 'success' })
    expect(runs).toBe(1)
    expect((await row(job.name)).lease_holder).toBeNull()
  })

  it('AV-3: a run that throws records its error (bounded, without addresses) and releases', async () => {
    const job = jobNamed('crash', async () => {
      throw new Error(`cannot mail alice@example.com ${'x'.repeat(10_000)}\nsecond line`)
    })
    const result = await runJob(ctx, job, { holder: newHolder(), log: quiet, force: true })
    expect(result).toMatchObject({ ran: true, outcome: 'failure' })
    const after = await row(job.name)
    expect(after.lease_holder).toBeNull()
    expect(after.lease_expires_at).toBeNull()
    expect(after.last_outcome).toBe('failure')
    expect(after.last_error).toMatch(/^Error: cannot mail \[address\] x+/)
    expect(after.last_error?.length).toBe(500)
    expect(after.last_error).not.toContain('alice')
    // Free again at once for the next attempt.
    const next = await runJob(
      ctx,
      { ...job, run: async () => 'fine' },
      {
        holder: newHolder(),
        log: quiet,
        force: true,
      },
    )
    expect(next).toMatchObject({ ran: true, outcome: 'success', summary: 'fine' })
    expect(await row(job.name)).toMatchObject({ last_outcome: 'success', last_error: null })
  })

  it('AV-3: a job running longer than its lease keeps it by renewing; nobody else gets in', async () => {
    const release = deferred()
    let runs = 0
    const job = jobNamed(
      'renew',
      async () => {
        runs += 1
        await release.promise
        return undefined
      },
      300,
    )
    const first = runJob(ctx, job, { holder: newHolder(), log: quiet, force: true })
    await new Promise((r) => setTimeout(r, 900))
    const second = await runJob(ctx, job, { holder: newHolder(), log: quiet, force: true })
    expect(second).toMatchObject({ ran: false, reason: 'leased' })
    release.resolve()
    expect(await first).toMatchObject({ ran: true, outcome: 'success' })
    expect(runs).toBe(1)
  })

  it('AV-3: a run whose lease was taken over is told to stop (its signal aborts)', async () => {
    let sawAbort = false
    const job = jobNamed(
      'lost',
      async ({ signal }) => {
        await sql`UPDATE jobs SET lease_holder = 'thief:1:0000' WHERE name = ${job.name}`.execute(
          database.handle.db,
        )
        await new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => resolve(), { once: true })
          setTimeout(resolve, 3_000)
        })
        sawAbort = signal.aborted
        return undefined
      },
      150,
    )
    const result = await runJob(ctx, job, { holder: newHolder(), log: quiet, force: true })
    expect(sawAbort).toBe(true)
    expect(result).toMatchObject({ ran: true })
    // The thief's lease stands: the stopped run did not release it.
    expect((await row(job.name)).lease_holder).toBe('thief:1:0000')
  })

  it('LOG-6: describeJobError keeps codes, drops addresses and line breaks', () => {
    expect(describeJobError(Object.assign(new Error('dup'), { code: '23505' }))).toBe('23505: dup')
    expect(describeJobError('bob@example.org failed')).toBe('Error: [address] failed')
    expect(describeJobError(null)).toBe('Error')
  })
})
