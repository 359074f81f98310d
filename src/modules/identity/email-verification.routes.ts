// IAM-1, IAM-6: e-mail verification and change of address.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import { requestMeta, requireSession, sessionPrincipalOf } from '../../http/session-auth.ts'
import {
  confirmEmailToken,
  requestEmailChange,
  requestVerification,
} from './email-verification.service.ts'
import { sensitiveChangeGuards } from './step-up.guard.ts'

export const emailVerificationRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  const limited = {
    rateLimit: { max: ctx.config.rateLimit.signInMax, timeWindow: ctx.config.rateLimit.windowMs },
  }

  app.post(
    '/api/v1/me/email',
    {
      preValidation: sensitiveChangeGuards(ctx),
      schema: {
        tags: ['sessions'],
        summary: 'Change your e-mail address: a link goes to the new one, a notice to the old one',
        body: Type.Object(
          { email: Type.String({ format: 'email', maxLength: 254 }) },
          { additionalProperties: false },
        ),
        response: { 202: Type.Null(), ...errorResponses(400, 401, 403, 413, 415, 422, 429) },
      },
      config: limited,
    },
    async (request, reply) => {
      await requestEmailChange(
        ctx,
        sessionPrincipalOf(request),
        request.body.email,
        requestMeta(request),
      )
      return reply.status(202).send(null)
    },
  )

  app.post(
    '/api/v1/me/email/verification',
    {
      preValidation: requireSession(ctx),
      schema: {
        tags: ['sessions'],
        summary: 'Send a link that verifies your current e-mail address',
        response: { 202: Type.Null(), ...errorResponses(401, 403, 409, 429) },
      },
      config: limited,
    },
    async (request, reply) => {
      await requestVerification(ctx, sessionPrincipalOf(request), requestMeta(request))
      return reply.status(202).send(null)
    },
  )

  app.post(
    '/api/v1/email-verification',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Follow a verification link: confirms the address it was sent to',
        body: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 128 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            changed: Type.Boolean({ description: 'True when the account moved to this address' }),
          }),
          ...errorResponses(400, 409, 413, 415, 429),
        },
      },
      config: limited,
    },
    async (request) => confirmEmailToken(ctx, request.body.token, requestMeta(request)),
  )
}
