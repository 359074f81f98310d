// AV-3, AUTHZ-4: `rampart jobs list` shows every job with its schedule and last run; `rampart jobs
// run NAME` runs one now under its lease, refuses (exit 75) while another holder has it, and
// names the jobs (exit 2) when NAME is unknown.
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { cliHarness } from '../../test/support/cli.ts'
import { openDatabase, pgliteDirFor } from '../db/connection.ts'

const cli = cliHarness('jobs-cli')
const rampart = cli.run

/** Runs `statement` on the CLI's database, then closes it (PGlite allows one opener at a time). */
async function onDatabase(statement: ReturnType<typeof sql>): Promise<void> {
  const env = cli.env()
  const db = await openDatabase({
    ...(env.RAMPART_DATABASE_URL
      ? { databaseUrl: env.RAMPART_DATABASE_URL }
      : { pgliteDir: pgliteDirFor(env.RAMPART_DATA_DIR as string) }),
    appRole: 'rampart_app',
  })
  try {
    await statement.execute(db.db)
  } finally {
    await db.close()
  }
}

interface Listed {
  name: string
  schedule: string
  lastStartedAt: string | null
  outcome: string | null
  nextDueAt: string | null
  leaseHolder: string | null
}

describe('rampart jobs', () => {
  // Each command opens the database afresh (PGlite from disk): slow, not stuck.
  it('AV-3: list, run, list again; an unknown name exits 2 with the list', async () => {
    const before = await rampart(['jobs', 'list'])
    expect(before.code).toBe(0)
    expect(before.out[0]).toBe('name\tschedule\tlast run\toutcome\tnext due\trunning on')
    expect(before.out).toContain('access-reviews\tevery 1h\t-\tnever run\t-\t-')

    const run = await rampart(['jobs', 'run', 'access-reviews'])
    expect(run.err).toEqual([])
    expect(run.code).toBe(0)
    expect(run.out[0]).toMatch(
      /^job access-reviews done in \d+ ms: 0 review\(s\) opened, 0 overdue reminder\(s\) sent; deployment interval 90 days$/,
    )

    const after = await rampart(['jobs', 'list', '--json'])
    const job = (JSON.parse(after.out.join('')) as Listed[]).find(
      (j) => j.name === 'access-reviews',
    )
    expect(job).toMatchObject({ schedule: 'every 1h', outcome: 'success', leaseHolder: null })
    expect(
      Date.parse(job?.nextDueAt as string) - Date.parse(job?.lastStartedAt as string),
    ).toBeGreaterThan(3_500_000)

    const unknown = await rampart(['jobs', 'run', 'no-such-job'])
    expect(unknown.code).toBe(2)
    expect(unknown.err[0]).toBe('no job named "no-such-job"; the jobs are:')
    expect(unknown.err.some((l) => l.startsWith('  access-reviews\t'))).toBe(true)
  }, 120_000)

  it('AV-3: while another node holds the lease, run refuses with exit 75 and names it', async () => {
    await onDatabase(sql`UPDATE jobs SET lease_holder = 'node-b:4242:abcd1234',
      lease_expires_at = now() + interval '10 minutes' WHERE name = 'access-reviews'`)
    const busy = await rampart(['jobs', 'run', 'access-reviews'])
    expect(busy.code).toBe(75)
    expect(busy.err[0]).toMatch(
      /^job access-reviews is running on node-b:4242:abcd1234 \(lease until \d{4}-.+Z\); try again later$/,
    )
    const listed = await rampart(['jobs', 'list'])
    expect(listed.out.find((l) => l.startsWith('access-reviews\t'))).toMatch(
      /\tnode-b:4242:abcd1234$/,
    )

    // The lease of a node that died runs out, and then the job runs again.
    await onDatabase(sql`UPDATE jobs SET lease_expires_at = now() - interval '1 second'
      WHERE name = 'access-reviews'`)
    expect((await rampart(['jobs', 'run', 'access-reviews'])).code).toBe(0)
  }, 120_000)
})
