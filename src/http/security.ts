// SEC-2: security headers on every response, CORS closed unless origins are configured, and a
// refusal of cross-site state-changing requests (login CSRF) before any route runs.
import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import helmet from 'helmet'
import type { Config } from '../config/config.ts'
import { HttpErrors } from './errors.ts'

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export async function registerSecurity(app: FastifyInstance, config: Config): Promise<void> {
  // Built once: the Fastify wrapper rebuilt every header (CSP included) on each request, which
  // cost more CPU than the rest of a typical request (see bench/http.ts).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(config.plainHttp ? {} : { upgradeInsecureRequests: [] }),
      },
    },
    // SEC-1: two years, subdomains included; browsers ignore it on plain HTTP.
    hsts: { maxAge: 63_072_000, includeSubDomains: true, preload: false },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
  })
  app.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (err) => done(err as Error | undefined))
  })

  await app.register(cors, {
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['content-type', 'authorization', 'x-csrf-token'],
    maxAge: 600,
  })

  const allowedOrigins = new Set([new URL(config.publicUrl).origin, ...config.corsOrigins])
  app.addHook('onRequest', async (request) => {
    if (!UNSAFE.has(request.method)) return
    const origin = request.headers.origin
    // A browser cannot forge Host on a cross-site request, so an Origin equal to the request's
    // own origin is same-origin even when the server is reached by another name than publicUrl.
    const allowed =
      origin !== undefined &&
      (allowedOrigins.has(origin) || origin === `${request.protocol}://${request.host}`)
    // Browsers label every request; a cross-site write is refused unless its origin is allowed.
    if (request.headers['sec-fetch-site'] === 'cross-site' && !allowed) {
      throw HttpErrors.REQUEST_CROSS_SITE()
    }
    if (origin !== undefined && !allowed) {
      throw HttpErrors.REQUEST_CROSS_SITE(`Origin ${origin} is not allowed`)
    }
  })
}
