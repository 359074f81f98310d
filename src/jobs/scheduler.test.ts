// AV-3: each node's scheduler runs due jobs again and again on their schedule; with several
// schedulers on one database a job never runs on two at once; stopping waits for the running job,
// which sees its signal, and leaves its lease released.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testConfig } from '../../test/support/app.ts'
import { openTestDatabase, type TestDatabase } from '../../test/support/database.ts'
import type { ServiceContext } from '../context.ts'
import { type KeyServices, openKeyServices } from '../crypto/key-services.ts'
import type { JobDefinition, JobLog } from './job.ts'
import { describeSchedule, firstDue, nextDueAfter } from './schedule.ts'
import { assertValidJobs, startScheduler } from './scheduler.ts'

let database: TestDatabase
let keys: KeyServices
let ctx: ServiceContext

const errors: string[] = []
const log: JobLog = { info() {}, warn() {}, error: (_d, m) => errors.push(m) }

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

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('the job scheduler', () => {
  it('AV-3: three nodes run one short-interval job repeatedly, never two runs at once', async () => {
    let runs = 0
    let concurrent = 0
    let most = 0
    const job: JobDefinition = {
      name: 'tick-tock',
      description: 'test',
      schedule: { everyMs: 100 },
      async run() {
        runs += 1
        concurrent += 1
        most = Math.max(most, concurrent)
        await new Promise((r) => setTimeout(r, 30))
        concurrent -= 1
        return undefined
      },
    }
    const nodes = [1, 2, 3].map(() => startScheduler(ctx, [job], { log, maxSleepMs: 100 }))
    await until(() => runs >= 6)
    await Promise.all(nodes.map((n) => n.stop()))
    expect(most).toBe(1)
    expect(errors).toEqual([])
    const row = await database.handle.db
      .selectFrom('jobs')
      .selectAll()
      .where('name', '=', 'tick-tock')
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({ lease_holder: null, last_outcome: 'success' })
  })

  it('AV-3: stopping signals the running job, waits for it, and releases its lease', async () => {
    let started = false
    let finished = false
    const job: JobDefinition = {
      name: 'long-haul',
      description: 'test',
      schedule: { everyMs: 60_000 },
      async run({ signal }) {
        started = true
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()))
        finished = true
        return 'stopped early'
      },
    }
    const node = startScheduler(ctx, [job], { log })
    await until(() => started)
    await node.stop()
    expect(finished).toBe(true)
    const row = await database.handle.db
      .selectFrom('jobs')
      .selectAll()
      .where('name', '=', 'long-haul')
      .executeTakeFirstOrThrow()
    expect(row.lease_holder).toBeNull()
    expect(row.next_due_at.getTime()).toBeGreaterThan(Date.now() + 50_000)
  })

  it('AV-3: a job registered anew is due at once; a restart keeps its due time', async () => {
    let runs = 0
    const job: JobDefinition = {
      name: 'hourly-thing',
      description: 'test',
      schedule: { everyMs: 3_600_000 },
      async run() {
        runs += 1
        return undefined
      },
    }
    const first = startScheduler(ctx, [job], { log, maxSleepMs: 50 })
    await until(() => runs === 1)
    await first.stop()
    const again = startScheduler(ctx, [job], { log, maxSleepMs: 50 })
    await new Promise((r) => setTimeout(r, 300))
    await again.stop()
    expect(runs).toBe(1)
  })

  it('refuses bad registries: names, duplicates, schedules', () => {
    const ok: JobDefinition = {
      name: 'ok',
      description: '',
      schedule: { everyMs: 1_000 },
      run: async () => undefined,
    }
    expect(() => assertValidJobs([{ ...ok, name: 'Bad Name' }])).toThrow(/bad job name/)
    expect(() => assertValidJobs([ok, ok])).toThrow(/defined twice/)
    expect(() => assertValidJobs([{ ...ok, schedule: { everyMs: 5 } }])).toThrow(/everyMs/)
    expect(() => assertValidJobs([{ ...ok, schedule: { cron: 'every day' } }])).toThrow(/cron/)
    expect(() =>
      assertValidJobs([ok, { ...ok, name: 'nightly', schedule: { cron: '0 3 * * *' } }]),
    ).not.toThrow()
  })

  it('computes due times for intervals and cron patterns (UTC unless a zone is given)', () => {
    const at = new Date('2026-12-01T05:00:00.000Z')
    expect(nextDueAfter({ everyMs: 90_000 }, at).toISOString()).toBe('2026-12-01T05:01:30.000Z')
    expect(nextDueAfter({ cron: '0 3 * * *' }, at).toISOString()).toBe('2026-12-02T03:00:00.000Z')
    expect(nextDueAfter({ cron: '0 3 * * *', timezone: 'Europe/Berlin' }, at).toISOString()).toBe(
      '2026-12-02T02:00:00.000Z',
    )
    expect(firstDue({ everyMs: 90_000 }, at)).toEqual(at)
    expect(firstDue({ cron: '30 5 * * *' }, at).toISOString()).toBe('2026-12-01T05:30:00.000Z')
    expect(describeSchedule({ everyMs: 3_600_000 })).toBe('every 1h')
    expect(describeSchedule({ everyMs: 90_000 })).toBe('every 90s')
    expect(describeSchedule({ everyMs: 1_500 })).toBe('every 1500ms')
    expect(describeSchedule({ cron: '0 3 * * *' })).toBe('cron 0 3 * * * (UTC)')
  })
})
