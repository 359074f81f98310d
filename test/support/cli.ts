// Test support for suites that run `rampart` commands in-process: an environment with a data
// directory of its own (and, with RAMPART_TEST_DATABASE_URL, a main database and a key store
// database of their own, dropped afterwards), and a runner that captures what a command prints.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import type { CliIo } from '../../src/cli/io.ts'
import { main } from '../../src/cli/main.ts'
import { loadConfig } from '../../src/config/config.ts'
import type { DatabaseHandle } from '../../src/db/connection.ts'
import { openConfiguredDatabase } from '../../src/server.ts'
import { createPostgresDatabase, postgresUrl } from './database.ts'

export interface CliRun {
  code: number
  out: string[]
  err: string[]
  /** Progress bar updates, as `label done/total` and `label done`. */
  progress: string[]
}

export interface CliHarness {
  /** The environment every command runs with; set once the suite's beforeAll has run. */
  env(): Record<string, string>
  run(args: string[], extraEnv?: Record<string, string>): Promise<CliRun>
  /** Runs `fn` on the commands' database as its owner, then closes it (PGlite allows one opener). */
  onDatabase<T>(fn: (db: DatabaseHandle) => Promise<T>): Promise<T>
}

/** Registers the suite's beforeAll/afterAll; `prefix` names its temporary data directory. */
export function cliHarness(prefix: string): CliHarness {
  let env: Record<string, string> = {}
  const drops: (() => Promise<void>)[] = []
  beforeAll(async () => {
    env = {
      RAMPART_DATA_DIR: mkdtempSync(join(tmpdir(), `rampart-${prefix}-`)),
      RAMPART_LOG_LEVEL: 'silent',
    }
    if (postgresUrl) {
      const database = await createPostgresDatabase()
      const keystore = await createPostgresDatabase()
      env.RAMPART_DATABASE_URL = database.url
      env.RAMPART_KEYSTORE_URL = keystore.url
      drops.push(database.drop, keystore.drop)
    }
  })
  afterAll(async () => {
    for (const drop of drops) await drop()
  })
  return {
    env: () => env,
    async onDatabase(fn) {
      const db = await openConfiguredDatabase(loadConfig(env), 'owner')
      try {
        return await fn(db)
      } finally {
        await db.close()
      }
    },
    async run(args, extraEnv = {}) {
      const out: string[] = []
      const err: string[] = []
      const progress: string[] = []
      const io: CliIo = {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        readStdin: async () => '',
        progress: (label) => ({
          update: (done, total) => progress.push(`${label} ${done}/${total}`),
          stop: () => progress.push(`${label} done`),
        }),
      }
      const code = await main(['node', 'rampart', ...args], io, { ...env, ...extraEnv })
      return { code, out, err, progress }
    },
  }
}
