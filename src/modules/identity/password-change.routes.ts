// IAM-2, IAM-6: POST /api/v1/me/password.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { preValidationAsyncHookHandler } from 'fastify'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import { DEVICE_COOKIE, requestMeta, sessionPrincipalOf } from '../../http/session-auth.ts'
import { changePassword } from './password-change.service.ts'
import { sensitiveChangeGuards } from './step-up.guard.ts'

const ChangeBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
    // Longer than the policy's 256 characters, so an over-long password gets the policy's 422.
    newPassword: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
)

const ChangeReply = Type.Object({
  revokedSessions: Type.Integer({ description: 'Other sessions of the user that were ended' }),
})

/** The guards in front of a password change: a full session and a recent authentication. */
export function passwordChangeGuards(ctx: ServiceContext): preValidationAsyncHookHandler[] {
  return sensitiveChangeGuards(ctx)
}

export const passwordChangeRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  app.post(
    '/api/v1/me/password',
    {
      preValidation: passwordChangeGuards(ctx),
      schema: {
        tags: ['sessions'],
        summary: 'Change my password; every other session of mine is revoked (IAM-6)',
        body: ChangeBody,
        response: { 200: ChangeReply, ...errorResponses(400, 401, 403, 413, 415, 422, 429) },
      },
      config: {
        // IAM-3: each request is a guess at the current password; the sign-in budget applies.
        rateLimit: {
          max: ctx.config.rateLimit.signInMax,
          timeWindow: ctx.config.rateLimit.windowMs,
        },
      },
    },
    async (request) =>
      changePassword(
        ctx,
        sessionPrincipalOf(request),
        { ...request.body, deviceToken: request.cookies[DEVICE_COOKIE] },
        requestMeta(request),
      ),
  )
}
