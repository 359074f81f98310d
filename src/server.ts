// Runs Rampart: opens the database, applies or checks migrations, serves HTTPS (SEC-1) with a
// plain-HTTP listener that only redirects, and shuts down gracefully on SIGTERM/SIGINT (AV-1).
import { createServer, type Server } from 'node:http'
import { type App, buildApp } from './app.ts'
import { type Config, ConfigError } from './config/config.ts'
import { type KeyServices, openKeyServices } from './crypto/key-services.ts'
import { type DatabaseHandle, openDatabase, pgliteDirFor } from './db/connection.ts'
import { migrateToLatest, pendingMigrations } from './db/migrate.ts'
import { RUNTIME_ROLE_FIX, runtimeRoleProblems } from './db/runtime-role.ts'
import { ensureDevCertificate, loadTls, type TlsMaterial } from './http/tls.ts'
import { rampartJobs } from './jobs/registry.ts'
import { startScheduler } from './jobs/scheduler.ts'
import { directoryWitness, startCheckpointer } from './modules/audit/checkpointer.ts'
import { createMailTransport, describeTransport } from './modules/mail/mail.transport.ts'
import { startMailer } from './modules/mail/mailer.ts'

export interface RunningServer {
  app: App
  redirect: Server | undefined
  /** Stops accepting connections, lets requests in flight finish, closes the database. */
  stop(): Promise<void>
}

/**
 * Opens the configured database. `owner` is the schema owner's connection (migrations, the
 * operator CLI); `runtime` is the server's own, which should be able to do no more than the
 * application role (AUTHZ-5). Without RAMPART_DATABASE_MIGRATION_URL both use RAMPART_DATABASE_URL.
 */
export function openConfiguredDatabase(
  config: Config,
  as: 'runtime' | 'owner',
  onPoolError?: (err: Error) => void,
): Promise<DatabaseHandle> {
  return openDatabase({
    databaseUrl:
      as === 'owner' ? (config.databaseMigrationUrl ?? config.databaseUrl) : config.databaseUrl,
    pgliteDir: pgliteDirFor(config.dataDir),
    poolSize: as === 'owner' ? 2 : config.databasePoolSize,
    appRole: config.databaseAppRole,
    ...(onPoolError ? { onPoolError } : {}),
  })
}

/** Runs `fn` on the owner's connection: `runtime` itself when both URLs are the same. */
export async function asOwner<T>(
  config: Config,
  runtime: DatabaseHandle,
  fn: (owner: DatabaseHandle) => Promise<T>,
): Promise<T> {
  if (!config.databaseMigrationUrl) return fn(runtime)
  const owner = await openConfiguredDatabase(config, 'owner')
  try {
    return await fn(owner)
  } finally {
    await owner.close()
  }
}

/**
 * dev applies pending migrations at start; prod refuses to start with any pending, so schema
 * changes are a deliberate `rampart migrate` step with its own backup and review.
 */
export async function prepareSchema(config: Config, owner: DatabaseHandle): Promise<void> {
  if (config.profile === 'dev') {
    await migrateToLatest(owner)
    return
  }
  const pending = await pendingMigrations(owner)
  if (pending.length > 0) {
    throw new Error(
      `${pending.length} pending migration(s) (${pending.join(', ')}): run \`rampart migrate\` first`,
    )
  }
}

/** AUTHZ-5: prod refuses a runtime login that could bypass row-level security; dev warns. */
async function checkRuntimeRole(config: Config, runtime: DatabaseHandle, app: App): Promise<void> {
  const problems = await runtimeRoleProblems(runtime)
  if (problems.length === 0) return
  const message = `${problems.join('; ')}: ${RUNTIME_ROLE_FIX}`
  if (config.profile === 'prod') throw new ConfigError(`prod refuses: ${message}`)
  app.log.warn(message)
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
  let keys: KeyServices | undefined
  const db = await openConfiguredDatabase(config, 'runtime', (err) =>
    app?.log.warn({ err: err.message }, 'database pool client error'),
  )
  try {
    await asOwner(config, db, (owner) => prepareSchema(config, owner))
    // Opened here rather than by buildApp: the job scheduler needs the same keyring.
    keys = await openKeyServices(config.keys)
    app = await buildApp({ config, db, tls, keys })
    await checkRuntimeRole(config, db, app)
  } catch (err) {
    if (app) await app.close()
    else await db.close()
    await keys?.close()
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

  // LOG-2: checkpoints signed within a second of new entries, witnessed outside the database.
  const checkpointer = startCheckpointer(
    db,
    app.auditSigner,
    directoryWitness(config.audit.witnessDir),
    config.audit.checkpointIntervalMs,
    app.log,
  )
  // IAM-2: queued mail (reset links, notices) is sent and retried in the background.
  const mailer = startMailer(
    { db },
    createMailTransport(config.mail),
    config.mail.deliveryIntervalMs,
    app.log,
  )
  app.log.info(`sending mail to ${describeTransport(config.mail)}`)
  // AV-3: leased jobs (access reviews, AUTHZ-4); with several nodes, each job runs on one at a time.
  const scheduler = startScheduler({ config, db, keys: keys.keyring }, rampartJobs(), {
    log: app.log,
  })
  app.log.info({ holder: scheduler.holder }, 'job scheduler started')

  const running = app
  const ownKeys = keys
  return {
    app: running,
    redirect,
    async stop() {
      // Jobs first: they may still be writing (and queueing mail) until they see the signal.
      await scheduler.stop()
      await checkpointer.stop()
      await mailer.stop()
      redirect?.closeAllConnections()
      await new Promise<void>((resolve) => (redirect ? redirect.close(() => resolve()) : resolve()))
      await running.close()
      await ownKeys.close()
    },
  }
}
