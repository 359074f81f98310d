// IAM-6, IAM-9 and SEC-2: who is calling. A session token arrives as the HttpOnly cookie (console)
// or as a bearer token; an API key as a bearer token. Cookie-authenticated writes must carry the
// CSRF token.
import type { FastifyReply, FastifyRequest, preValidationAsyncHookHandler } from 'fastify'
import type { RequestMeta, ServiceContext } from '../context.ts'
import { API_KEY_PREFIX, authenticateApiKey } from '../modules/access/api-keys.service.ts'
import { enforceIpAllowlist } from '../modules/access/ip-allowlist.service.ts'
import { assertCan, type Permission } from '../modules/access/permissions.ts'
import {
  authenticate,
  type Principal,
  type SessionPrincipal,
} from '../modules/identity/sessions.service.ts'
import { csrfMatches } from '../modules/identity/tokens.ts'
import { HttpErrors } from './errors.ts'

/** `__Host-` pins the cookie to this origin: Secure, path /, no Domain attribute. */
export const SESSION_COOKIE = '__Host-rampart_session'

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal
    /** How the principal was authenticated: cookies need CSRF protection, bearer tokens not. */
    credentialSource?: 'cookie' | 'bearer'
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

function presentedToken(
  request: FastifyRequest,
): { token: string; source: 'cookie' | 'bearer' } | null {
  const header = request.headers.authorization
  if (header) {
    const match = /^Bearer ([^\s]+)$/i.exec(header)
    return match?.[1] ? { token: match[1], source: 'bearer' } : null
  }
  const cookie = request.cookies[SESSION_COOKIE]
  return cookie ? { token: cookie, source: 'cookie' } : null
}

export interface SessionGuardOptions {
  /**
   * IAM-4: whether an enrolment-only session (a user the organisation's policy obliges to have a
   * second factor, who has none yet) may use the route. Only the routes that show the user who
   * they are, let them enrol a factor or sign out say yes.
   */
  allowEnrolment?: boolean
  /**
   * AUTHZ-1: the permission the route needs, checked before the body is validated so a caller
   * without it learns nothing of the input's shape. docs/permissions.md lists every route's.
   */
  permission?: Permission
}

export function requireSession(
  ctx: ServiceContext,
  options: SessionGuardOptions = {},
): preValidationAsyncHookHandler {
  return async function sessionGuard(request: FastifyRequest, reply: FastifyReply) {
    const presented = presentedToken(request)
    if (!presented) throw HttpErrors.AUTH_REQUIRED()
    const principal = await authenticatePresented(ctx, presented, request, options)
    if (!principal) {
      if (presented.source === 'cookie') clearSessionCookie(reply)
      throw HttpErrors.AUTH_REQUIRED(
        presented.token.startsWith(API_KEY_PREFIX)
          ? 'The API key is unknown, expired or revoked'
          : 'The session is missing, expired or revoked; sign in again',
      )
    }
    // IAM-8: the organisation's IP allowlist applies to every authenticated request.
    await enforceIpAllowlist(ctx, principal, requestMeta(request))
    if (principal.via === 'session') {
      if (
        presented.source === 'cookie' &&
        !SAFE_METHODS.has(request.method) &&
        !csrfMatches(presented.token, headerValue(request.headers['x-csrf-token']))
      ) {
        throw HttpErrors.REQUEST_CSRF_FAILED()
      }
      if (principal.scope === 'mfa_enrolment' && !options.allowEnrolment) {
        throw HttpErrors.AUTH_MFA_ENROLMENT_REQUIRED()
      }
    }
    if (options.permission) assertCan(principal, options.permission)
    request.principal = principal
    request.credentialSource = presented.source
  }
}

/**
 * A bearer token is an API key when it says so (`rk_`); API keys reach only routes that name a
 * permission (IAM-9), checked before the key is even looked up.
 */
async function authenticatePresented(
  ctx: ServiceContext,
  presented: { token: string; source: 'cookie' | 'bearer' },
  request: FastifyRequest,
  options: SessionGuardOptions,
): Promise<Principal | null> {
  if (presented.source === 'bearer' && presented.token.startsWith(API_KEY_PREFIX)) {
    if (!options.permission) throw HttpErrors.AUTH_SESSION_REQUIRED()
    return authenticateApiKey(ctx, presented.token, request.ip)
  }
  return authenticate(ctx, presented.token)
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    secure: true,
    sameSite: 'lax',
    path: '/',
    expires: expiresAt,
  })
}

/** IAM-3: marks a browser that signed in before; its sign-in failures are counted apart. */
export const DEVICE_COOKIE = '__Host-rampart_device'
const DEVICE_COOKIE_DAYS = 365

export function setDeviceCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(DEVICE_COOKIE, token, {
    httpOnly: true,
    secure: true,
    // Only ever needed by the sign-in form of this site.
    sameSite: 'strict',
    path: '/',
    maxAge: DEVICE_COOKIE_DAYS * 24 * 60 * 60,
  })
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, secure: true, sameSite: 'lax', path: '/' })
}

/** The principal set by requireSession; routes behind the guard can rely on it. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw HttpErrors.AUTH_REQUIRED()
  return request.principal
}

/** The signed-in user's session, for the routes that act on it (never reached by API keys). */
export function sessionPrincipalOf(request: FastifyRequest): SessionPrincipal {
  const principal = principalOf(request)
  if (principal.via !== 'session') throw HttpErrors.AUTH_SESSION_REQUIRED()
  return principal
}

/** The request facts services record (audit, device list). */
export function requestMeta(request: FastifyRequest): RequestMeta {
  return { ip: request.ip, userAgent: request.headers['user-agent'], requestId: request.id }
}
