// IAM-4: the organisation's MFA policy and the reset of a user's second factors, for owners and
// admins with a recent authentication (IAM-6).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import { principalOf, requestMeta, requireSession } from '../../http/session-auth.ts'
import { sensitiveChangeGuards } from '../identity/step-up.guard.ts'
import { getMfaPolicy, resetUserMfa, setMfaPolicy } from './mfa-admin.service.ts'

const Policy = Type.Union([Type.Literal('optional'), Type.Literal('admins'), Type.Literal('all')], {
  description:
    'optional: users choose; admins: owners and admins must use a second factor; all: everyone must',
})

const PolicyReply = Type.Object({
  policy: Policy,
  usersWithoutRequiredMfa: Type.Integer({
    minimum: 0,
    description: 'Active users the policy obliges who have no second factor yet',
  }),
})

export const mfaAdminRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  app.get(
    '/api/v1/tenant/mfa-policy',
    {
      preValidation: requireSession(ctx, { permission: 'tenant.security.manage' }),
      schema: {
        tags: ['mfa'],
        summary: "The organisation's MFA policy (owners and admins)",
        response: { 200: PolicyReply, ...errorResponses(401, 403) },
      },
    },
    async (request) => getMfaPolicy(ctx, principalOf(request)),
  )

  app.put(
    '/api/v1/tenant/mfa-policy',
    {
      preValidation: sensitiveChangeGuards(ctx, { permission: 'tenant.security.manage' }),
      schema: {
        tags: ['mfa'],
        summary: 'Set the MFA policy; users it obliges enrol at their next sign-in',
        body: Type.Object({ policy: Policy }, { additionalProperties: false }),
        response: { 200: PolicyReply, ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request) =>
      setMfaPolicy(ctx, principalOf(request), request.body.policy, requestMeta(request)),
  )

  app.delete(
    '/api/v1/users/:userId/mfa',
    {
      preValidation: sensitiveChangeGuards(ctx, { permission: 'users.mfa.reset' }),
      schema: {
        tags: ['mfa'],
        summary: "Reset a user's second factors (a lost device); signs out all their sessions",
        params: Type.Object({ userId: Type.String({ format: 'uuid' }) }),
        response: {
          200: Type.Object({ revokedSessions: Type.Integer({ minimum: 0 }) }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) =>
      resetUserMfa(ctx, principalOf(request), request.params.userId, requestMeta(request)),
  )
}
