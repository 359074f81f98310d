// Runs once before the suite: migrates a fresh PGlite database and saves it as a snapshot that
// every test file loads (a fresh PGlite takes seconds to initialise; a snapshot under one).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { TestProject } from 'vitest/node'
import { openDatabase } from '../../src/db/connection.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { TEST_APP_ROLE } from './constants.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshot: string
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
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
  return () => rmSync(file, { force: true })
}
