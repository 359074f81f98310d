// IAM-4: who may change a user's second factors. The one place for that rule: every route that
// enrols, confirms or removes a factor, or replaces recovery codes, runs these preHandlers in
// order. Step-up re-authentication (a recent password or MFA check) belongs here, after the
// session guard.
import type { preHandlerAsyncHookHandler } from 'fastify'
import type { ServiceContext } from '../../context.ts'
import { requireSession } from '../../http/session-auth.ts'

export function factorChangeGuards(ctx: ServiceContext): preHandlerAsyncHookHandler[] {
  return [requireSession(ctx)]
}
