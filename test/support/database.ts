// A fresh, migrated database per test file: a PGlite loaded from the suite's snapshot, or, when
// RAMPART_TEST_DATABASE_URL is set, a new PostgreSQL database created for the file and dropped
// after it.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { inject } from 'vitest'
import { type DatabaseHandle, openDatabase } from '../../src/db/connection.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { TEST_APP_ROLE } from './constants.ts'

export interface TestDatabase {
  handle: DatabaseHandle
  /** PostgreSQL URL of this file's database; undefined on PGlite. */
  url: string | undefined
  /** Closes the handle and drops the PostgreSQL database. */
  dispose(): Promise<void>
}

export const postgresUrl = process.env.RAMPART_TEST_DATABASE_URL || undefined

export function databaseKind(): 'pglite' | 'postgres' {
  return postgresUrl ? 'postgres' : 'pglite'
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Creates an empty PostgreSQL database and returns its URL (nothing migrated). */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `rampart_t_${randomBytes(6).toString('hex')}`
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`))
  const url = new URL(postgresUrl as string)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    },
  }
}

export async function loadPgliteSnapshot(): Promise<PGlite> {
  const bytes = readFileSync(inject('pgliteSnapshot'))
  return PGlite.create({ loadDataDir: new Blob([bytes]) })
}

export async function openTestDatabase(): Promise<TestDatabase> {
  if (postgresUrl) {
    const created = await createPostgresDatabase()
    const handle = await openDatabase({
      databaseUrl: created.url,
      appRole: TEST_APP_ROLE,
      poolSize: 10,
    })
    await migrateToLatest(handle)
    return {
      handle,
      url: created.url,
      async dispose() {
        await handle.close()
        await created.drop()
      },
    }
  }
  const handle = await openDatabase({ pglite: await loadPgliteSnapshot(), appRole: TEST_APP_ROLE })
  return { handle, url: undefined, dispose: () => handle.close() }
}
