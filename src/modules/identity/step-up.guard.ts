// IAM-4, IAM-6: changes of second factors, e-mail address or password (and, later, ownership
// transfer) need a recent proof of identity, not just a live session: a session left open on a
// shared screen, or stolen, must not be enough to take the account over.
import type { FastifyRequest, preValidationAsyncHookHandler } from 'fastify'
import type { ServiceContext } from '../../context.ts'
import {
  requireSession,
  type SessionGuardOptions,
  sessionPrincipalOf,
} from '../../http/session-auth.ts'
import { IdentityErrors } from './errors.ts'

export function requireRecentAuthentication(ctx: ServiceContext): preValidationAsyncHookHandler {
  const maxAgeMs = ctx.config.session.stepUpSeconds * 1000
  return async function stepUpGuard(request: FastifyRequest) {
    const principal = sessionPrincipalOf(request)
    if (Date.now() - principal.authenticatedAt.getTime() > maxAgeMs) {
      throw IdentityErrors.IDENTITY_STEP_UP_REQUIRED()
    }
  }
}

/**
 * The guards in front of every change that needs a fresh authentication, in order: a session
 * (an enrolment-only one too, when `allowEnrolment`), then freshness.
 */
export function sensitiveChangeGuards(
  ctx: ServiceContext,
  options: SessionGuardOptions = {},
): preValidationAsyncHookHandler[] {
  return [requireSession(ctx, options), requireRecentAuthentication(ctx)]
}
