// SEC-3: every failure becomes a clear 4xx with a stable code, or a 503 while the database is
// away (AV-1); only a genuine bug yields a 500, and it is logged without the request body.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, HttpErrors } from './errors.ts'

const FASTIFY_CODES: Record<string, () => AppError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => HttpErrors.REQUEST_BODY_TOO_LARGE(),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => HttpErrors.REQUEST_UNSUPPORTED_MEDIA_TYPE(),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    HttpErrors.REQUEST_INVALID('Content-Length does not match the body'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    HttpErrors.REQUEST_MALFORMED_JSON('The body is empty but Content-Type is application/json'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => HttpErrors.REQUEST_MALFORMED_JSON(),
  FST_ERR_CTP_INVALID_CONTENT_TYPE: () =>
    HttpErrors.REQUEST_UNSUPPORTED_MEDIA_TYPE('The Content-Type header is malformed'),
}

// Connection-level failures from pg and PGlite: the database is unreachable, not the request bad.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
])

// Data exceptions the database raises for values no schema should have let through (a NUL byte,
// an unencodable character, an overlong string): the request is at fault, so it gets a 400.
const DATA_EXCEPTION_CODES = new Set(['22021', '22P05', '22001', '22003', '22007', '22008'])

function isDataException(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && DATA_EXCEPTION_CODES.has(code)
}

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  const code = (err as { code?: string }).code
  if (code && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true
  return /Connection terminated|timeout exceeded when trying to connect|PGlite is closed|driver has already been destroyed|Cannot use a pool after calling end/i.test(
    err.message,
  )
}

export function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err
  const e = err as FastifyError & { validation?: unknown[]; validationContext?: string }
  if (e?.validation) {
    return HttpErrors.REQUEST_INVALID(
      `Invalid ${e.validationContext ?? 'request'}: ${e.message}`,
      e.validation,
    )
  }
  const mapped = e?.code ? FASTIFY_CODES[e.code] : undefined
  if (mapped) return mapped()
  if (err instanceof SyntaxError) return HttpErrors.REQUEST_MALFORMED_JSON()
  if (isDatabaseUnavailable(err)) return HttpErrors.SERVICE_UNAVAILABLE()
  if (isDataException(err)) {
    return HttpErrors.REQUEST_INVALID('The request holds a value that cannot be stored')
  }
  if (e?.statusCode === 429) return HttpErrors.RATE_LIMITED(e.message)
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    // Any other client error from the framework or a plugin: keep its status, but answer with a
    // code from our catalogue rather than an internal FST_ERR_* name.
    const code = e.statusCode === 404 ? 'ROUTE_NOT_FOUND' : 'REQUEST_INVALID'
    return new AppError(code, e.statusCode, e.message)
  }
  return null
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(err)
    if (!appError) {
      request.log.error({ err }, 'unhandled error')
      const internal = HttpErrors.INTERNAL_ERROR()
      return reply.status(500).send({ error: { code: internal.code, message: internal.message } })
    }
    if (appError.statusCode === 503) {
      request.log.warn({ err }, 'database unavailable')
      reply.header('retry-after', '5')
    }
    const body: { code: string; message: string; details?: unknown } = {
      code: appError.code,
      message: appError.message,
    }
    if (appError.details !== undefined) body.details = appError.details
    return reply.status(appError.statusCode).send({ error: body })
  })

  app.setNotFoundHandler((request, reply) => {
    const e = HttpErrors.ROUTE_NOT_FOUND(`No route ${request.method} ${request.url.split('?')[0]}`)
    return reply.status(404).send({ error: { code: e.code, message: e.message } })
  })
}
