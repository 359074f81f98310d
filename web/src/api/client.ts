// The console's only way to the API: same-origin fetch with the HttpOnly session cookie, the CSRF
// token on every write (SEC-2), JSON in and out, and failures as ApiError with the stable code.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/**
 * The session's CSRF token, from sign-in or GET /api/v1/me. Kept in memory only: a reload asks
 * /me again, and nothing an injected script could read survives in storage.
 */
let csrfToken: string | null = null
let onSessionLost: (() => void) | null = null

export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/** Called when a request that needed a session was refused with 401 (expired or revoked). */
export function setSessionLostHandler(handler: (() => void) | null): void {
  onSessionLost = handler
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  return send<T>(
    method,
    path,
    body === undefined
      ? undefined
      : {
          type: 'application/json',
          content: JSON.stringify(body),
        },
  )
}

/** A file as the request body (an import): sent as it is, with its content type. */
export async function apiUpload<T>(path: string, file: Blob, contentType: string): Promise<T> {
  return send<T>('POST', path, { type: contentType, content: file })
}

async function send<T>(
  method: Method,
  path: string,
  body: { type: string; content: string | Blob } | undefined,
): Promise<T> {
  try {
    return await sendOnce<T>(method, path, body)
  } catch (failure) {
    // A token gone stale (another tab signed in again, so the cookie is a new session): read the
    // current one from /me and try once more. The API still decides; this only spares a reload.
    if (!(failure instanceof ApiError) || failure.code !== 'REQUEST_CSRF_FAILED') throw failure
    const me = await sendOnce<{ csrfToken?: string }>('GET', '/api/v1/me', undefined)
    if (!me.csrfToken || me.csrfToken === csrfToken) throw failure
    csrfToken = me.csrfToken
    return sendOnce<T>(method, path, body)
  }
}

async function sendOnce<T>(
  method: Method,
  path: string,
  body: { type: string; content: string | Blob } | undefined,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body) headers['content-type'] = body.type
  if (WRITES.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken
  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(body ? { body: body.content } : {}),
    })
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', 'The server could not be reached')
  }
  if (response.status === 204) return undefined as T
  const text = await response.text()
  const parsed: unknown = text ? safeJson(text) : undefined
  if (response.ok) return parsed as T
  const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } })
    ?.error
  const failure = new ApiError(
    response.status,
    typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`,
    typeof error?.message === 'string' ? error.message : response.statusText,
    error?.details,
  )
  if (response.status === 401 && failure.code === 'AUTH_REQUIRED') onSessionLost?.()
  throw failure
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
