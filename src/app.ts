// buildApp(config, db): a Fastify instance with every module registered.

import type { Server as HttpsServer } from 'node:https'
import cookie from '@fastify/cookie'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, {
  type FastifyHttpsOptions,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify'
import type { Config } from './config/config.ts'
import type { ServiceContext } from './context.ts'
import { type KeyServices, openKeyServices } from './crypto/key-services.ts'
import type { DatabaseHandle } from './db/connection.ts'
import { consoleRoutes } from './http/console.ts'
import { registerErrorHandling } from './http/error-handler.ts'
import { ErrorResponse, HttpErrors } from './http/errors.ts'
import { healthRoutes, registerMetrics } from './http/health.ts'
import { loggerOptions } from './http/logging.ts'
import { SnapshotRateLimitStore } from './http/rate-limit-store.ts'
import { registerSecurity } from './http/security.ts'
import { connectionsCheckingInterval, httpsOptions, type TlsMaterial } from './http/tls.ts'
import { accessReviewRoutes } from './modules/access/access-reviews.routes.ts'
import { apiKeyRoutes } from './modules/access/api-keys.routes.ts'
import { groupRoutes } from './modules/access/groups.routes.ts'
import { ipAllowlistRoutes } from './modules/access/ip-allowlist.routes.ts'
import { kioskLinkRoutes } from './modules/access/kiosk-links.routes.ts'
import { roleRoutes } from './modules/access/roles.routes.ts'
import { auditRoutes } from './modules/audit/audit.routes.ts'
import { type CheckpointSigner, loadOrCreateSigner } from './modules/audit/checkpoint.ts'
import { dashboardRoutes } from './modules/data/dashboards.routes.ts'
import { dataRoutes } from './modules/data/data.routes.ts'
import { exportRoutes } from './modules/data/export.routes.ts'
import { importRoutes } from './modules/data/import.routes.ts'
import { deviceRoutes } from './modules/identity/devices.routes.ts'
import { emailVerificationRoutes } from './modules/identity/email-verification.routes.ts'
import { memberRoutes } from './modules/identity/members.routes.ts'
import { passwordChangeRoutes } from './modules/identity/password-change.routes.ts'
import { passwordResetRoutes } from './modules/identity/password-reset.routes.ts'
import { sessionRoutes } from './modules/identity/sessions.routes.ts'
import { mfaRoutes } from './modules/mfa/mfa.routes.ts'
import { mfaAdminRoutes } from './modules/mfa/mfa-admin.routes.ts'
import { passkeyRoutes } from './modules/mfa/passkeys.routes.ts'
import { passkeySignInRoutes } from './modules/mfa/passkeys-sign-in.routes.ts'
import { tenantRoutes } from './modules/tenants/tenants.routes.ts'
import { vaultRoutes } from './modules/vault/vault.routes.ts'

export interface BuildOptions {
  config: Config
  db: DatabaseHandle
  /** TLS material; without it the server speaks plain HTTP (tests through inject, dev proxies). */
  tls?: TlsMaterial | undefined
  /** Overrides the logger (tests capture log lines with a stream). */
  logger?: FastifyServerOptions['logger'] | undefined
  loggerInstance?: FastifyServerOptions['loggerInstance']
  /** Key provider, key store and keyring; opened from the configuration when absent. */
  keys?: KeyServices | undefined
}

export type App = FastifyInstance

export interface RouteEntry {
  method: string
  url: string
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every registered route (method and URL pattern), in registration order. */
    routeTable: RouteEntry[]
    /** Signs audit checkpoints (LOG-2). */
    auditSigner: CheckpointSigner
  }
}

export async function buildApp(options: BuildOptions): Promise<App> {
  const { config, db } = options
  const base: FastifyServerOptions = {
    ...(options.loggerInstance
      ? { loggerInstance: options.loggerInstance }
      : { logger: options.logger ?? loggerOptions(config.logLevel) }),
    bodyLimit: config.limits.bodyBytes,
    // SEC-4: slow clients are cut off rather than holding sockets.
    requestTimeout: config.limits.requestTimeoutMs,
    connectionTimeout: config.limits.requestTimeoutMs,
    keepAliveTimeout: config.limits.keepAliveTimeoutMs,
    trustProxy: config.trustProxy,
    // AV-1: while shutting down, new requests on kept-alive connections get a 503.
    return503OnClosing: true,
    // Malformed URLs (bad percent-encoding) get the standard error shape too.
    frameworkErrors: (error, _request, reply) => {
      const e = HttpErrors.REQUEST_INVALID(`The request URL is malformed: ${error.message}`)
      void (reply as FastifyReply).status(400).send({ error: { code: e.code, message: e.message } })
    },
    ajv: {
      // SEC-3: unknown fields are refused, not dropped; wrong types are refused, not coerced.
      customOptions: {
        removeAdditional: false,
        coerceTypes: false,
        useDefaults: true,
        allErrors: false,
      },
      // ajv-formats' uuid also takes `urn:uuid:…` (which PostgreSQL cannot cast) and upper case
      // (which then compares unequal to stored ids and fails the audit writer's pattern): a 500
      // or a wrong answer where a 400 belongs. An id is the form Rampart issues: lower-case
      // 8-4-4-4-12 hexadecimal.
      onCreate: (ajv: { addFormat(name: string, format: RegExp): unknown }) => {
        ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      },
    },
  }
  const app = (options.tls
    ? Fastify({
        ...base,
        https: httpsOptions(options.tls, config),
      } as FastifyHttpsOptions<HttpsServer>)
    : Fastify({
        ...base,
        http: {
          maxHeaderSize: config.limits.headerBytes,
          connectionsCheckingInterval: connectionsCheckingInterval(config),
        },
      })
  ).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance
  app.server.headersTimeout = config.limits.headersTimeoutMs

  // Every route, as registered: the isolation harness checks each one has a tenant case.
  const routeTable: RouteEntry[] = []
  app.decorate('routeTable', routeTable)
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url })
  })

  const keys = options.keys ?? (await openKeyServices(config.keys))
  const ctx: ServiceContext = { config, db, keys: keys.keyring }
  app.addSchema(ErrorResponse)
  // SEC-3: JSON only; Fastify's built-in text/plain parser would turn plain text into a 400 body
  // mismatch instead of an honest 415.
  app.removeContentTypeParser('text/plain')
  registerErrorHandling(app)
  await registerSecurity(app, config)
  await app.register(cookie)
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimit.globalMax,
    timeWindow: config.rateLimit.windowMs,
    store: SnapshotRateLimitStore,
    errorResponseBuilder: (_request, context) => {
      const e = HttpErrors.RATE_LIMITED(`Too many requests; retry in ${context.after}`)
      return Object.assign(e, { statusCode: 429 })
    },
  })
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Rampart API',
        version: '0.1.0',
        description:
          'Every error response is { "error": { "code", "message" } } with a stable code. Cookie-authenticated writes need the X-CSRF-Token header.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: '__Host-rampart_session' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // SEC-2: the reference page gets the same framing ban as the rest, and no remote sources.
    transformStaticCSP: (header) =>
      header
        .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
        .replaceAll(' https:', '')
        .replace(' validator.swagger.io', ''),
    uiConfig: { validatorUrl: null },
  })

  const registry = registerMetrics(app)
  await app.register(healthRoutes, { ctx, registry, metricsToken: config.metricsToken })
  await app.register(consoleRoutes)
  await app.register(tenantRoutes, { ctx })
  await app.register(sessionRoutes, { ctx })
  await app.register(deviceRoutes, { ctx })
  await app.register(passwordChangeRoutes, { ctx })
  await app.register(passwordResetRoutes, { ctx })
  await app.register(emailVerificationRoutes, { ctx })
  // LOG-2: the checkpoint key is read once; the checkpointer signs with it, the API shows its
  // public half.
  const auditSigner = loadOrCreateSigner(config.audit.signingKeyFile)
  app.decorate('auditSigner', auditSigner)
  await app.register(auditRoutes, { ctx, publicKey: auditSigner.publicKey })
  await app.register(vaultRoutes, { ctx })
  await app.register(mfaRoutes, { ctx })
  await app.register(passkeyRoutes, { ctx })
  await app.register(passkeySignInRoutes, { ctx })
  await app.register(mfaAdminRoutes, { ctx })
  await app.register(ipAllowlistRoutes, { ctx })
  await app.register(memberRoutes, { ctx })
  await app.register(groupRoutes, { ctx })
  await app.register(roleRoutes, { ctx })
  await app.register(apiKeyRoutes, { ctx })
  await app.register(accessReviewRoutes, { ctx })
  await app.register(dataRoutes, { ctx })
  await app.register(importRoutes, { ctx })
  await app.register(exportRoutes, { ctx })
  await app.register(dashboardRoutes, { ctx })
  await app.register(kioskLinkRoutes, { ctx })

  app.addHook('onClose', async () => {
    await db.close()
    // Keys handed in belong to the caller; keys opened here are closed here.
    if (!options.keys) await keys.close()
  })
  return app
}
