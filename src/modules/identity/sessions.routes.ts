// Sign-in, sign-out and the current principal (IAM-6).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import {
  clearSessionCookie,
  DEVICE_COOKIE,
  principalOf,
  requestMeta,
  requireSession,
  setDeviceCookie,
  setSessionCookie,
} from '../../http/session-auth.ts'
import { signOut } from './sessions.service.ts'
import { signIn } from './sign-in/steps.ts'
import { csrfTokenFor } from './tokens.ts'

const SignInBody = Type.Object(
  {
    tenant: Type.String({ minLength: 1, maxLength: 63, description: 'Organisation slug' }),
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    mode: Type.Optional(
      Type.Union([Type.Literal('cookie'), Type.Literal('bearer')], {
        description:
          'cookie (default): the token is set as an HttpOnly cookie and a CSRF token returned; bearer: the token is returned in the body for API clients',
      }),
    ),
  },
  { additionalProperties: false },
)

const SignInReply = Type.Object({
  session: Type.Object({
    id: Type.String({ format: 'uuid' }),
    expiresAt: Type.String({ format: 'date-time' }),
  }),
  csrfToken: Type.Optional(Type.String()),
  token: Type.Optional(Type.String({ description: 'Bearer token (mode=bearer only)' })),
})

const MeReply = Type.Object({
  user: Type.Object({
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    role: Type.String(),
  }),
  tenant: Type.Object({
    id: Type.String({ format: 'uuid' }),
    slug: Type.String(),
    name: Type.String(),
    region: Type.String(),
  }),
  session: Type.Object({
    id: Type.String({ format: 'uuid' }),
    expiresAt: Type.String({ format: 'date-time' }),
  }),
  csrfToken: Type.Optional(Type.String({ description: 'Present for cookie sessions' })),
})

export const sessionRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  const guard = requireSession(ctx)

  app.post(
    '/api/v1/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Sign in with organisation slug, e-mail and password',
        body: SignInBody,
        response: { 201: SignInReply, ...errorResponses(400, 401, 413, 415, 429) },
      },
      config: {
        rateLimit: {
          max: ctx.config.rateLimit.signInMax,
          timeWindow: ctx.config.rateLimit.windowMs,
        },
      },
    },
    async (request, reply) => {
      const deviceToken = request.cookies[DEVICE_COOKIE]
      const issued = await signIn(
        ctx,
        { ...request.body, ...(deviceToken ? { deviceToken } : {}) },
        requestMeta(request),
      )
      if (issued.deviceToken) setDeviceCookie(reply, issued.deviceToken)
      const session = { id: issued.sessionId, expiresAt: issued.expiresAt.toISOString() }
      if (request.body.mode === 'bearer') {
        return reply.status(201).send({ session, token: issued.token })
      }
      setSessionCookie(reply, issued.token, issued.expiresAt)
      return reply.status(201).send({ session, csrfToken: csrfTokenFor(issued.token) })
    },
  )

  app.delete(
    '/api/v1/sessions/current',
    {
      preHandler: guard,
      schema: {
        tags: ['sessions'],
        summary: 'Sign out: revoke the current session',
        response: { 204: Type.Null(), ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => {
      await signOut(ctx, principalOf(request), requestMeta(request))
      clearSessionCookie(reply)
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/api/v1/me',
    {
      preHandler: guard,
      schema: {
        tags: ['sessions'],
        summary: 'The signed-in user, their tenant and session',
        response: { 200: MeReply, ...errorResponses(401) },
      },
    },
    async (request) => {
      const p = principalOf(request)
      return {
        user: { id: p.userId, email: p.email, role: p.role },
        tenant: { id: p.tenantId, ...p.tenant },
        session: { id: p.sessionId, expiresAt: p.expiresAt.toISOString() },
        ...(request.credentialSource === 'cookie' ? { csrfToken: csrfTokenFor(p.token) } : {}),
      }
    },
  )
}
