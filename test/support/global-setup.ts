// Runs once before the suite: migrates a fresh PGlite database and saves it as a snapshot that
// every test file loads (a fresh PGlite takes seconds to initialise; a snapshot under one). On
// PostgreSQL it also migrates a template database that each file's database is copied from, which
// takes a fraction of running every migration again.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { TestProject } from 'vitest/node'
import { openDatabase } from '../../src/db/connection.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { TEST_APP_ROLE } from './constants.ts'
import { createPostgresDatabase, postgresUrl } from './postgres.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshot: string
    /** On PostgreSQL: the migrated database every test file's database is created from. */
    postgresTemplate: string
  }
}

export default async function setup(project: TestProject): Promise<() => void | Promise<void>> {
  const dir = resolve('test-artifacts')
  mkdirSync(dir, { recursive: true })
  const pglite = await PGlite.create()
  const handle = await openDatabase({ pglite, appRole: TEST_APP_ROLE })
  await migrateToLatest(handle)
  const dump = await pglite.dumpDataDir('none')
  const file = join(dir, `pglite-snapshot-${process.pid}.tar`)
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()))
  await handle.close()
  project.provide('pgliteSnapshot', file)
  if (!postgresUrl) {
    project.provide('postgresTemplate', '')
    return () => rmSync(file, { force: true })
  }
  const template = await createPostgresDatabase()
  const migrated = await openDatabase({ databaseUrl: template.url, appRole: TEST_APP_ROLE })
  await migrateToLatest(migrated)
  await migrated.close()
  project.provide('postgresTemplate', template.name)
  return async () => {
    rmSync(file, { force: true })
    await template.drop()
  }
}
