// Opens the database: PGlite under the data directory by default, PostgreSQL when a URL is set.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Database } from './database.ts'
import { PGliteDialect } from './pglite-driver.ts'

export interface DatabaseHandle {
  db: Kysely<Database>
  kind: 'pglite' | 'postgres'
  /** The role application transactions switch to (AUTHZ-5). */
  appRole: string
  close(): Promise<void>
}

export interface OpenOptions {
  databaseUrl?: string | undefined
  /** PGlite data directory; `memory://` for a throwaway database. */
  pgliteDir?: string
  /** A ready PGlite instance (tests load one from a prepared snapshot). */
  pglite?: PGlite
  poolSize?: number
  appRole: string
  onPoolError?: (err: Error) => void
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/

export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  if (!ROLE_NAME.test(options.appRole)) {
    throw new Error(`invalid application role name "${options.appRole}"`)
  }
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
    })
    // An idle client losing its server must not crash the process (AV-1).
    pool.on('error', (err) => options.onPoolError?.(err))
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    return { db, kind: 'postgres', appRole: options.appRole, close: () => db.destroy() }
  }
  let instance = options.pglite
  if (!instance) {
    const dir = options.pgliteDir ?? 'memory://'
    if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true })
    instance = await PGlite.create(dir)
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(instance) })
  return { db, kind: 'pglite', appRole: options.appRole, close: () => db.destroy() }
}

export function pgliteDirFor(dataDir: string): string {
  return join(dataDir, 'pgdata')
}
