// IAM-4: who may change a user's second factors. The one place for that rule: every route that
// enrols, confirms or removes a factor, or replaces recovery codes, runs these preHandlers in
// order: a session (an enrolment-only one too, since enrolling is what it is for), then a recent
// sign-in or step-up (IAM-6).
import type { preValidationAsyncHookHandler } from 'fastify'
import type { ServiceContext } from '../../context.ts'
import { sensitiveChangeGuards } from '../identity/step-up.guard.ts'

export function factorChangeGuards(ctx: ServiceContext): preValidationAsyncHookHandler[] {
  return sensitiveChangeGuards(ctx, { allowEnrolment: true })
}
