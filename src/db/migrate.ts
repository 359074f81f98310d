import { type MigrationResultSet, Migrator } from 'kysely'
import type { DatabaseHandle } from './connection.ts'
import { RampartMigrations } from './migrations/index.ts'

function migrator(handle: DatabaseHandle): Migrator {
  return new Migrator({
    db: handle.db,
    provider: new RampartMigrations({ appRole: handle.appRole }),
  })
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(handle: DatabaseHandle): Promise<string[]> {
  const result: MigrationResultSet = await migrator(handle).migrateToLatest()
  const failed = result.results?.find((r) => r.status === 'Error')
  if (result.error) {
    const name = failed ? ` in ${failed.migrationName}` : ''
    throw new Error(`migration failed${name}: ${(result.error as Error).message}`, {
      cause: result.error,
    })
  }
  return (result.results ?? []).map((r) => r.migrationName)
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(handle: DatabaseHandle): Promise<string[]> {
  const all = await migrator(handle).getMigrations()
  return all.filter((m) => !m.executedAt).map((m) => m.name)
}
