// Password reset by e-mail (IAM-2, IAM-3, IAM-6): ask for a link, then set a new password with it.
// Both routes are public and rate limited per client address (SEC-4).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import { SingleLineText } from '../../http/schemas.ts'
import { requestMeta } from '../../http/session-auth.ts'
import { confirmPasswordReset, requestPasswordReset } from './password-reset.service.ts'

const RequestBody = Type.Object(
  {
    tenant: SingleLineText({ minLength: 1, maxLength: 63, description: 'Organisation slug' }),
    email: SingleLineText({ minLength: 1, maxLength: 254 }),
  },
  { additionalProperties: false },
)

/** IAM-3: one constant answer, whether or not a mail was sent. */
const ACCEPTED = {
  message:
    'If the organisation and e-mail address belong to an active account, a reset link is on its way.',
} as const

const ConfirmBody = Type.Object(
  {
    token: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'The token from the link, after #token=',
    }),
    newPassword: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
)

export const passwordResetRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  const rateLimit = {
    max: ctx.config.rateLimit.passwordResetMax,
    timeWindow: ctx.config.rateLimit.windowMs,
  }

  app.post(
    '/api/v1/password-reset',
    {
      schema: {
        tags: ['password reset'],
        summary:
          'Ask for a password reset link by e-mail; the same answer whether or not it exists',
        body: RequestBody,
        response: {
          202: Type.Object({ message: Type.String() }),
          ...errorResponses(400, 403, 413, 415, 429),
        },
      },
      config: { rateLimit },
    },
    async (request, reply) => {
      await requestPasswordReset(ctx, request.body, requestMeta(request))
      return reply.status(202).send(ACCEPTED)
    },
  )

  app.post(
    '/api/v1/password-reset/confirm',
    {
      schema: {
        tags: ['password reset'],
        summary: 'Set a new password with a reset token; every session of the user ends',
        body: ConfirmBody,
        response: { 204: Type.Null(), ...errorResponses(400, 403, 413, 415, 422, 429) },
      },
      config: { rateLimit },
    },
    async (request, reply) => {
      await confirmPasswordReset(ctx, request.body, requestMeta(request))
      return reply.status(204).send(null)
    },
  )
}
