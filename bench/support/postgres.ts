// A throwaway PostgreSQL database per benchmark run, created and dropped through an admin client.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openDatabase } from '../../src/db/connection.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test'
/** The role Rampart's transactions switch to; the baseline switches to the same one. */
export const APP_ROLE = 'rampart_app'
/** Both servers get a pool of this size. */
export const POOL_SIZE = 10

export interface BenchDatabase {
  name: string
  url: string
  /** Process ids of the PostgreSQL backends now connected to this database. */
  backendPids(): Promise<number[]>
  drop(): Promise<void>
}

export function adminUrl(): string {
  return process.env.RAMPART_BENCH_DATABASE_URL || DEFAULT_ADMIN_URL
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Creates `rampart_bench_<random>` next to the admin database and applies every migration. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const admin = adminUrl()
  const name = `rampart_bench_${randomBytes(6).toString('hex')}`
  await withAdmin(admin, (c) => c.query(`CREATE DATABASE ${name}`))
  const url = new URL(admin)
  url.pathname = `/${name}`
  const database: BenchDatabase = {
    name,
    url: url.toString(),
    async backendPids() {
      const { rows } = await withAdmin(admin, (c) =>
        c.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        ),
      )
      return rows.map((r) => r.pid)
    },
    async drop() {
      await withAdmin(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    },
  }
  try {
    const handle = await openDatabase({
      databaseUrl: database.url,
      appRole: APP_ROLE,
      poolSize: POOL_SIZE,
    })
    try {
      await migrateToLatest(handle)
    } finally {
      await handle.close()
    }
  } catch (err) {
    await database.drop()
    throw err
  }
  return database
}
