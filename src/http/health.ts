// AV-1: liveness, readiness (the database answers) and Prometheus metrics.

import { timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import { Type } from 'typebox'
import type { ServiceContext } from '../context.ts'
import { withAppRole } from '../db/tenant.ts'
import { errorResponses, HttpErrors } from './errors.ts'

const READY_TIMEOUT_MS = 2_000

async function databaseAnswers(ctx: ServiceContext): Promise<boolean> {
  const probe = withAppRole(ctx.db.db, ctx.db.appRole, (trx) =>
    sql`SELECT 1 AS ok`.execute(trx),
  ).then(
    () => true,
    () => false,
  )
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS)
  })
  try {
    return await Promise.race([probe, timeout])
  } finally {
    clearTimeout(timer)
  }
}

const Status = Type.Object({
  status: Type.String(),
  checks: Type.Optional(Type.Record(Type.String(), Type.String())),
})

/**
 * Request metrics for every route. Registered on the root instance (not inside a plugin) so the
 * hook sees all routes; labelled by route pattern, never by tenant, id or raw URL.
 */
export function registerMetrics(app: FastifyInstance): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'rampart_' })
  const duration = new Histogram({
    name: 'rampart_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  })
  const errors = new Counter({
    name: 'rampart_http_errors_total',
    help: 'HTTP responses with status >= 400, by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  })
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    }
    duration.observe(labels, reply.elapsedTime / 1000)
    if (reply.statusCode >= 400) errors.inc(labels)
  })
  return registry
}

export const healthRoutes: FastifyPluginAsyncTypebox<{
  ctx: ServiceContext
  registry: Registry
  metricsToken: string | undefined
}> = async (app, { ctx, registry, metricsToken }) => {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'Liveness', response: { 200: Status } } },
    async () => ({ status: 'ok' }),
  )

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database answers',
        response: { 200: Status, 503: Status },
      },
    },
    async (_request, reply) => {
      const ok = await databaseAnswers(ctx)
      if (!ok) reply.header('retry-after', '5')
      return reply
        .status(ok ? 200 : 503)
        .send({ status: ok ? 'ready' : 'unavailable', checks: { database: ok ? 'ok' : 'down' } })
    },
  )

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (bearer token when RAMPART_METRICS_TOKEN is set)',
        response: { 200: Type.String(), ...errorResponses(401) },
      },
    },
    async (request, reply) => {
      if (metricsToken) {
        const given = Buffer.from(request.headers.authorization ?? '')
        const want = Buffer.from(`Bearer ${metricsToken}`)
        if (given.length !== want.length || !timingSafeEqual(given, want)) {
          throw HttpErrors.AUTH_REQUIRED('Metrics need the configured bearer token')
        }
      }
      reply.type(registry.contentType)
      return registry.metrics()
    },
  )
}
