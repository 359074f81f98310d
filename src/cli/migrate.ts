// `rampart migrate`: apply pending migrations as the owner role, or list them with --status.
import type { Config } from '../config/config.ts'
import { migrateToLatest, pendingMigrations } from '../db/migrate.ts'
import { openConfiguredDatabase } from '../server.ts'
import type { CliIo } from './io.ts'

export async function migrate(
  config: Config,
  options: { status?: boolean },
  io: CliIo,
): Promise<number> {
  const db = await openConfiguredDatabase(config, 'owner')
  try {
    if (options.status) {
      const pending = await pendingMigrations(db)
      io.out(pending.length === 0 ? 'up to date' : `pending: ${pending.join(', ')}`)
      return pending.length === 0 ? 0 : 1
    }
    const applied = await migrateToLatest(db)
    io.out(applied.length === 0 ? 'up to date' : `applied: ${applied.join(', ')}`)
    return 0
  } finally {
    await db.close()
  }
}
