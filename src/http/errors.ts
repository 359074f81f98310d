// One error shape for every response: { error: { code, message, details? } } with a stable code.
// Each module declares its own catalogue with defineErrors(); this file holds the HTTP layer's.
import { Type } from 'typebox'

export class AppError extends Error {
  override name = 'AppError'
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

interface ErrorSpec {
  status: number
  message: string
}

/** Declares a module's error catalogue: code -> status and default message. */
export function defineErrors<const C extends Record<string, ErrorSpec>>(catalogue: C) {
  const factories = {} as {
    [K in keyof C]: (message?: string, details?: unknown) => AppError
  }
  for (const [code, spec] of Object.entries(catalogue)) {
    factories[code as keyof C] = (message?: string, details?: unknown) =>
      new AppError(code, spec.status, message ?? spec.message, details)
  }
  return { catalogue, ...factories }
}

export const HttpErrors = defineErrors({
  REQUEST_INVALID: { status: 400, message: 'The request does not match the schema' },
  REQUEST_MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON' },
  REQUEST_CSRF_FAILED: {
    status: 403,
    message: 'Missing or wrong X-CSRF-Token header for a cookie-authenticated request',
  },
  REQUEST_CROSS_SITE: { status: 403, message: 'Cross-site requests are not accepted' },
  ROUTE_NOT_FOUND: { status: 404, message: 'No such route' },
  REQUEST_BODY_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  REQUEST_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'Unsupported Content-Type; send application/json',
  },
  RATE_LIMITED: { status: 429, message: 'Too many requests; slow down and retry later' },
  SERVICE_UNAVAILABLE: {
    status: 503,
    message: 'The service is temporarily unavailable; retry shortly',
  },
  INTERNAL_ERROR: { status: 500, message: 'Something went wrong on our side' },
  AUTH_REQUIRED: { status: 401, message: 'Sign in first' },
  // IAM-9: API keys reach only routes that name a permission; the rest act on a session.
  AUTH_SESSION_REQUIRED: {
    status: 403,
    message: 'This action needs a signed-in session; API keys cannot perform it',
  },
  // AUTHZ-1: the caller's role (or API key scope) lacks the permission the action needs.
  AUTH_PERMISSION_DENIED: {
    status: 403,
    message: 'You do not have the permission this action needs',
  },
  // IAM-4: the organisation requires a second factor; this session may only enrol one.
  AUTH_MFA_ENROLMENT_REQUIRED: {
    status: 403,
    message: 'Your organisation requires a second factor: set one up at /api/v1/me/mfa first',
  },
})

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'ErrorResponse', description: 'Every 4xx and 5xx response has this shape' },
)

/** Standard error responses to merge into a route's response schema. */
export function errorResponses(...statuses: number[]): Record<number, { $ref: string }> {
  const out: Record<number, { $ref: string }> = {}
  for (const s of statuses) out[s] = { $ref: 'ErrorResponse#' }
  return out
}
