// LOG-6: structured JSON logs with secrets and personal data removed before they are written.
import type { FastifyServerOptions } from 'fastify'

const SECRET_KEY = /pass(word)?|token|secret|cookie|authorization|api[-_]?key|csrf/i
const EMAIL_KEY = /e-?mail/i
const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[^\s@"'<>(),;:]+/g

export const REDACTED = '[redacted]'

/** Returns a copy with secret-looking keys blanked and e-mail addresses masked, to depth 6. */
export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(EMAIL, '[email]')
  if (value === null || typeof value !== 'object' || depth > 6) return value
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1))
  // Requests, replies and errors have their own serializers below; copying them here would
  // drop their prototype getters before those serializers run.
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return value
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    if (SECRET_KEY.test(key)) out[key] = REDACTED
    else if (EMAIL_KEY.test(key) && typeof v === 'string') out[key] = '[email]'
    else out[key] = scrub(v, depth + 1)
  }
  return out
}

/**
 * AUTHZ-3: a kiosk link's path is its secret (/kiosk/<token>, /api/v1/kiosk/<token>). Matched on
 * the decoded path too, as the router decodes it: /%6Biosk/<token> reaches the same route.
 */
const KIOSK_PATH = /\/kiosk\/(?!assets\/kiosk\.css$).*/is

function redactKioskPath(path: string): string {
  let decoded = path
  try {
    decoded = decodeURIComponent(path)
  } catch {
    // Malformed escapes: the router refuses such a URL; the raw path is tested below.
  }
  if (KIOSK_PATH.test(decoded)) return decoded.replace(KIOSK_PATH, `/kiosk/${REDACTED}`)
  return path.replace(KIOSK_PATH, `/kiosk/${REDACTED}`)
}

/**
 * LOG-6: an error message fit to store and log: anything that looks like an e-mail address
 * replaced (servers and drivers quote them), on one line, trimmed.
 */
export function messageForLog(message: string): string {
  return message
    .replace(/[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+/g, '[address]')
    .replace(/\s+/g, ' ')
    .trim()
}

/**
 * Strips the query string's values (they may carry tokens: reset links) and the token of a
 * kiosk-link path.
 */
function safeUrl(url: string): string {
  const q = url.indexOf('?')
  const path = redactKioskPath(q < 0 ? url : url.slice(0, q))
  if (q < 0) return path
  const params = new URLSearchParams(url.slice(q + 1))
  return `${path}?${[...params.keys()].map((k) => `${k}=${REDACTED}`).join('&')}`
}

interface LoggedRequest {
  method: string
  url: string
  id: string
  ip?: string
  headers?: Record<string, unknown>
}

export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
      ],
      censor: REDACTED,
    },
    serializers: {
      req: (req: LoggedRequest) => ({
        id: req.id,
        method: req.method,
        // A logger must never throw, whatever shape a caller passes as `req`.
        url: typeof req.url === 'string' ? safeUrl(req.url) : undefined,
        ip: req.ip,
      }),
      err: (err: Error & { code?: string; statusCode?: number }) =>
        scrub({
          type: err.name,
          code: err.code,
          statusCode: err.statusCode,
          message: err.message,
          stack: err.stack,
        }) as { type: string; message: string; stack: string },
    },
    formatters: {
      log: (obj: Record<string, unknown>) => scrub(obj) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? a.replace(EMAIL, '[email]') : a)) as typeof args,
        )
      },
    },
  }
}
