// IAM-4, IAM-6: passwordless sign-in with a passkey. Public routes: the organisation is named by
// its slug, the user by the credential. The reply is a session exactly as password sign-in gives
// it (cookie with a CSRF token, or a bearer token), and a refusal is the same 401.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import { DEVICE_COOKIE, requestMeta } from '../../http/session-auth.ts'
import { sendSession } from '../identity/sessions.routes.ts'
import { AuthenticationResponse, ChallengeId, WebAuthnOptions } from './passkeys.schemas.ts'
import { passkeySignInOptions, signInWithPasskey } from './passkeys-sign-in.service.ts'

const Slug = Type.String({ minLength: 1, maxLength: 63, description: 'Organisation slug' })

const OptionsBody = Type.Object({ tenant: Slug }, { additionalProperties: false })

const SignInBody = Type.Object(
  {
    tenant: Slug,
    challengeId: ChallengeId,
    response: AuthenticationResponse,
    mode: Type.Optional(
      Type.Union([Type.Literal('cookie'), Type.Literal('bearer')], {
        description:
          'cookie (default): the token is set as an HttpOnly cookie and a CSRF token returned; bearer: the token is returned in the body',
      }),
    ),
  },
  { additionalProperties: false },
)

const SignInReply = Type.Object({
  session: Type.Object({
    id: Type.String({ format: 'uuid' }),
    expiresAt: Type.String({ format: 'date-time' }),
    scope: Type.Union([Type.Literal('full'), Type.Literal('mfa_enrolment')]),
  }),
  csrfToken: Type.Optional(Type.String()),
  token: Type.Optional(Type.String({ description: 'Bearer token (mode=bearer only)' })),
})

export const passkeySignInRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  // IAM-3, SEC-4: both count against the sign-in limit per address.
  const rateLimit = {
    max: ctx.config.rateLimit.signInMax,
    timeWindow: ctx.config.rateLimit.windowMs,
  }

  app.post(
    '/api/v1/sessions/passkey/options',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Start a passwordless sign-in: options for navigator.credentials.get()',
        description:
          'No credentials are listed: the authenticator offers its passkeys for this site. User verification is required. The challenge works once and expires after five minutes.',
        body: OptionsBody,
        response: {
          200: Type.Object({ challengeId: Type.String(), options: WebAuthnOptions }),
          ...errorResponses(400, 409, 413, 415, 429),
        },
      },
      config: { rateLimit },
    },
    async (request, reply) => {
      const started = await passkeySignInOptions(ctx, request.body.tenant)
      return reply.header('cache-control', 'no-store').send(started)
    },
  )

  app.post(
    '/api/v1/sessions/passkey',
    {
      schema: {
        tags: ['sessions'],
        summary: "Sign in with a passkey: the authenticator's response to the options",
        body: SignInBody,
        response: { 201: SignInReply, ...errorResponses(400, 401, 413, 415, 429) },
      },
      config: { rateLimit },
    },
    async (request, reply) => {
      const deviceToken = request.cookies[DEVICE_COOKIE]
      const { tenant, challengeId, response, mode } = request.body
      const issued = await signInWithPasskey(
        ctx,
        { tenant, challengeId, response, ...(deviceToken ? { deviceToken } : {}) },
        requestMeta(request),
      )
      return sendSession(reply, issued, mode)
    },
  )
}
