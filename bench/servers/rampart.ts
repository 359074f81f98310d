// The real Rampart app, as `rampart serve --plain-http` would build it, minus TLS and logging:
// same buildApp(), same plugins, hooks and routes, same Kysely-on-pg.Pool database handle.
import { buildApp } from '../../src/app.ts'
import { parseConfig } from '../../src/config/config.ts'
import { openDatabase } from '../../src/db/connection.ts'
import { APP_ROLE, POOL_SIZE } from '../support/postgres.ts'
import { announce, main, requireEnv } from './lifecycle.ts'

/** High enough that no benchmark request is ever rate limited; the limiter still runs. */
const UNLIMITED = '100000000'

main(async () => {
  const databaseUrl = requireEnv('BENCH_DATABASE_URL')
  const config = parseConfig({
    RAMPART_DATA_DIR: requireEnv('BENCH_DATA_DIR'),
    RAMPART_DATABASE_URL: databaseUrl,
    RAMPART_DATABASE_POOL_SIZE: String(POOL_SIZE),
    RAMPART_DATABASE_APP_ROLE: APP_ROLE,
    RAMPART_PLAIN_HTTP: 'true',
    RAMPART_HOST: '127.0.0.1',
    RAMPART_LOG_LEVEL: 'warn',
    RAMPART_RATE_LIMIT_GLOBAL: UNLIMITED,
    RAMPART_RATE_LIMIT_SIGN_IN: UNLIMITED,
    RAMPART_RATE_LIMIT_SIGN_UP: UNLIMITED,
  })
  const db = await openDatabase({
    databaseUrl,
    appRole: config.databaseAppRole,
    poolSize: config.databasePoolSize,
  })
  // buildApp closes the database when the app closes.
  const app = await buildApp({ config, db, logger: false })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  announce(address.port, () => app.close())
})
