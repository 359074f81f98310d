// Runs Rampart: opens the database, applies or checks migrations, serves HTTPS (SEC-1) with a
// plain-HTTP listener that only redirects, and shuts down gracefully on SIGTERM/SIGINT (AV-1).
import { createServer, type Server } from 'node:http'
import { type App, buildApp } from './app.ts'
import type { Config } from './config/config.ts'
import { type DatabaseHandle, openDatabase, pgliteDirFor } from './db/connection.ts'
import { migrateToLatest, pendingMigrations } from './db/migrate.ts'
import { ensureDevCertificate, loadTls, type TlsMaterial } from './http/tls.ts'

export interface RunningServer {
  app: App
  redirect: Server | undefined
  /** Stops accepting connections, lets requests in flight finish, closes the database. */
  stop(): Promise<void>
}

export function openConfiguredDatabase(
  config: Config,
  onPoolError?: (err: Error) => void,
): Promise<DatabaseHandle> {
  return openDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDir: pgliteDirFor(config.dataDir),
    poolSize: config.databasePoolSize,
    appRole: config.databaseAppRole,
    ...(onPoolError ? { onPoolError } : {}),
  })
}

/**
 * dev applies pending migrations at start; prod refuses to start with any pending, so schema
 * changes are a deliberate `rampart migrate` step with its own backup and review.
 */
export async function prepareSchema(config: Config, db: DatabaseHandle): Promise<void> {
  if (config.profile === 'dev') {
    await migrateToLatest(db)
    return
  }
  const pending = await pendingMigrations(db)
  if (pending.length > 0) {
    throw new Error(
      `${pending.length} pending migration(s) (${pending.join(', ')}): run \`rampart migrate\` first`,
    )
  }
}

/** Answers every plain-HTTP request with a 301 to the public HTTPS address of the same path. */
export function redirectServer(config: Config): Server {
  const origin = new URL(config.publicUrl).origin
  return createServer((request, response) => {
    // The target comes from configuration, never from the Host header (no open redirect).
    const path = (request.url ?? '/').startsWith('/') ? (request.url ?? '/') : '/'
    response.writeHead(301, { location: `${origin}${path}`, 'content-length': '0' })
    response.end()
  })
}

export async function startServer(config: Config): Promise<RunningServer> {
  let tls: TlsMaterial | undefined
  if (!config.plainHttp) {
    if (config.profile === 'dev') await ensureDevCertificate(config)
    tls = loadTls(config)
  }
  let app: App | undefined
  const db = await openConfiguredDatabase(config, (err) =>
    app?.log.warn({ err: err.message }, 'database pool client error'),
  )
  try {
    await prepareSchema(config, db)
    app = await buildApp({ config, db, tls })
  } catch (err) {
    await db.close()
    throw err
  }
  await app.listen({ port: config.httpsPort, host: config.host })

  let redirect: Server | undefined
  if (tls && config.httpRedirectPort > 0) {
    redirect = redirectServer(config)
    redirect.headersTimeout = config.limits.headersTimeoutMs
    redirect.requestTimeout = config.limits.requestTimeoutMs
    const listening = redirect
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject)
      listening.listen(config.httpRedirectPort, config.host, () => resolve())
    })
    app.log.info(`redirecting http://${config.host}:${config.httpRedirectPort} to HTTPS`)
  }

  const running = app
  return {
    app: running,
    redirect,
    async stop() {
      redirect?.closeAllConnections()
      await new Promise<void>((resolve) => (redirect ? redirect.close(() => resolve()) : resolve()))
      await running.close()
    },
  }
}
