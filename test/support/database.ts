// A fresh, migrated database per test file: a PGlite loaded from the suite's snapshot, or, when
// RAMPART_TEST_DATABASE_URL is set, a new PostgreSQL database copied for the file from the
// suite's migrated template and dropped after it.
import { readFileSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { inject } from 'vitest'
import { type DatabaseHandle, openDatabase } from '../../src/db/connection.ts'
import { TEST_APP_ROLE } from './constants.ts'
import { createPostgresDatabase, postgresUrl } from './postgres.ts'

export { createPostgresDatabase, databaseKind, postgresUrl } from './postgres.ts'

export interface TestDatabase {
  handle: DatabaseHandle
  /** PostgreSQL URL of this file's database; undefined on PGlite. */
  url: string | undefined
  /** Closes the handle and drops the PostgreSQL database. */
  dispose(): Promise<void>
}

export async function loadPgliteSnapshot(): Promise<PGlite> {
  const bytes = readFileSync(inject('pgliteSnapshot'))
  return PGlite.create({ loadDataDir: new Blob([bytes]) })
}

export async function openTestDatabase(): Promise<TestDatabase> {
  if (postgresUrl) {
    const created = await createPostgresDatabase(inject('postgresTemplate'))
    const handle = await openDatabase({
      databaseUrl: created.url,
      appRole: TEST_APP_ROLE,
      poolSize: 10,
    })
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
