// Sign-in, sign-out and the current principal (IAM-6).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import {
  clearSessionCookie,
  DEVICE_COOKIE,
  requestMeta,
  requireSession,
  sessionPrincipalOf,
  setDeviceCookie,
  setSessionCookie,
} from '../../http/session-auth.ts'
import { permissionsOfRole } from '../access/permissions.ts'
import { AuthenticationResponse, ChallengeId, WebAuthnOptions } from '../mfa/passkeys.schemas.ts'
import { startPasskeyAuthentication } from '../mfa/passkeys.service.ts'
import { signOut } from './sessions.service.ts'
import type { IssuedSession } from './sign-in/attempt.ts'
import {
  completeSignIn,
  passkeyOptionsForChallenge,
  type SecondFactorProof,
} from './sign-in/second-factor.ts'
import { signIn } from './sign-in/steps.ts'
import { stepUp } from './step-up.service.ts'
import { csrfTokenFor } from './tokens.ts'

/**
 * IAM-6: a new session as the client asked for it: the token in the body (bearer), or as the
 * HttpOnly cookie with a CSRF token in the body. Also sets the device cookie of a new browser.
 */
export function sendSession(
  reply: FastifyReply,
  issued: IssuedSession,
  mode: 'cookie' | 'bearer' | undefined,
): FastifyReply {
  if (issued.deviceToken) setDeviceCookie(reply, issued.deviceToken)
  const session = {
    id: issued.sessionId,
    expiresAt: issued.expiresAt.toISOString(),
    scope: issued.scope,
  }
  reply.header('cache-control', 'no-store')
  if (mode === 'bearer') return reply.status(201).send({ session, token: issued.token })
  setSessionCookie(reply, issued.token, issued.expiresAt)
  return reply.status(201).send({ session, csrfToken: csrfTokenFor(issued.token) })
}

const Mode = Type.Optional(
  Type.Union([Type.Literal('cookie'), Type.Literal('bearer')], {
    description:
      'cookie (default): the token is set as an HttpOnly cookie and a CSRF token returned; bearer: the token is returned in the body for API clients',
  }),
)

const SignInBody = Type.Object(
  {
    tenant: Type.String({ minLength: 1, maxLength: 63, description: 'Organisation slug' }),
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    mode: Mode,
  },
  { additionalProperties: false },
)

const SessionSummary = Type.Object({
  id: Type.String({ format: 'uuid' }),
  expiresAt: Type.String({ format: 'date-time' }),
  scope: Type.Union([Type.Literal('full'), Type.Literal('mfa_enrolment')], {
    description:
      'full, or mfa_enrolment: the organisation requires a second factor this user has not set up; until one is enrolled the session reaches only /api/v1/me, /api/v1/me/mfa/... and sign-out',
  }),
})

const SignInReply = Type.Object({
  session: SessionSummary,
  csrfToken: Type.Optional(Type.String()),
  token: Type.Optional(Type.String({ description: 'Bearer token (mode=bearer only)' })),
})

const ChallengeReply = Type.Object({
  mfaRequired: Type.Literal(true),
  challenge: Type.Object({
    token: Type.String({
      description: 'Send it with the second factor to POST /api/v1/sessions/mfa',
    }),
    expiresAt: Type.String({ format: 'date-time' }),
    methods: Type.Array(
      Type.Union([Type.Literal('totp'), Type.Literal('recovery_code'), Type.Literal('passkey')]),
    ),
  }),
})

const StepUpBody = Type.Object(
  {
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    method: Type.Optional(
      Type.Union([Type.Literal('totp'), Type.Literal('recovery_code'), Type.Literal('passkey')]),
    ),
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    passkey: Type.Optional(
      Type.Object(
        { challengeId: ChallengeId, response: AuthenticationResponse },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)

const Challenge = Type.String({ minLength: 1, maxLength: 128 })

/** IAM-4: one of the three second factors, each with exactly its own fields. */
const SecondFactorBody = Type.Union([
  Type.Object(
    {
      challenge: Challenge,
      method: Type.Union([Type.Literal('totp'), Type.Literal('recovery_code')]),
      code: Type.String({ minLength: 1, maxLength: 64 }),
      mode: Mode,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      challenge: Challenge,
      method: Type.Literal('passkey'),
      passkey: Type.Object(
        { challengeId: ChallengeId, response: AuthenticationResponse },
        { additionalProperties: false },
      ),
      mode: Mode,
    },
    { additionalProperties: false },
  ),
])

const MeReply = Type.Object({
  user: Type.Object({
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    emailVerified: Type.Boolean(),
    role: Type.String(),
    permissions: Type.Array(Type.String(), {
      description:
        "AUTHZ-1: what the user's role allows (docs/permissions.md); the console shows only the screens these reach",
    }),
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
    scope: SessionSummary.properties.scope,
    authenticatedAt: Type.String({
      format: 'date-time',
      description:
        'The last sign-in or step-up; changes of factors, e-mail or password need it recent',
    }),
  }),
  csrfToken: Type.Optional(Type.String({ description: 'Present for cookie sessions' })),
})

export const sessionRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  // Who they are and signing out are open to enrolment-only sessions too (IAM-4).
  const guard = requireSession(ctx, { allowEnrolment: true })

  app.post(
    '/api/v1/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Sign in with organisation slug, e-mail and password',
        description:
          'A user with a second factor gets 200 with a challenge instead of a session; the sign-in then completes at POST /api/v1/sessions/mfa.',
        body: SignInBody,
        response: {
          201: SignInReply,
          200: ChallengeReply,
          ...errorResponses(400, 401, 413, 415, 429),
        },
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
      const result = await signIn(
        ctx,
        { ...request.body, ...(deviceToken ? { deviceToken } : {}) },
        requestMeta(request),
      )
      if (result.kind === 'mfa') {
        const { token, expiresAt, methods } = result.challenge
        reply.header('cache-control', 'no-store')
        return reply.status(200).send({
          mfaRequired: true as const,
          challenge: { token, expiresAt: expiresAt.toISOString(), methods },
        })
      }
      return sendSession(reply, result.session, request.body.mode)
    },
  )

  app.post(
    '/api/v1/sessions/mfa',
    {
      schema: {
        tags: ['sessions'],
        summary:
          'Complete a sign-in with its second factor: an authenticator code, a recovery code or a passkey',
        body: SecondFactorBody,
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
      const body = request.body
      const proof: SecondFactorProof =
        body.method === 'passkey'
          ? { method: 'passkey', ...body.passkey }
          : { method: body.method, code: body.code }
      const result = await completeSignIn(ctx, body.challenge, proof, requestMeta(request))
      return sendSession(reply, result.session, body.mode)
    },
  )

  app.delete(
    '/api/v1/sessions/current',
    {
      preValidation: guard,
      schema: {
        tags: ['sessions'],
        summary: 'Sign out: revoke the current session',
        response: { 204: Type.Null(), ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => {
      await signOut(ctx, sessionPrincipalOf(request), requestMeta(request))
      clearSessionCookie(reply)
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/api/v1/sessions/mfa/passkey-options',
    {
      schema: {
        tags: ['sessions'],
        summary:
          "Options for navigator.credentials.get() to answer a challenge with one of the user's passkeys",
        body: Type.Object({ challenge: Challenge }, { additionalProperties: false }),
        response: {
          200: Type.Object({ challengeId: ChallengeId, options: WebAuthnOptions }),
          ...errorResponses(400, 401, 409, 413, 415, 429),
        },
      },
      config: {
        rateLimit: {
          max: ctx.config.rateLimit.signInMax,
          timeWindow: ctx.config.rateLimit.windowMs,
        },
      },
    },
    async (request) =>
      passkeyOptionsForChallenge(ctx, request.body.challenge, requestMeta(request)),
  )

  app.post(
    '/api/v1/sessions/current/step-up/passkey-options',
    {
      preValidation: guard,
      schema: {
        tags: ['sessions'],
        summary: 'Options for navigator.credentials.get() to step up with one of your passkeys',
        body: Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()], {
          description: 'No body, null or {}',
        }),
        response: {
          200: Type.Object({ challengeId: ChallengeId, options: WebAuthnOptions }),
          ...errorResponses(400, 401, 403, 409, 415, 429),
        },
      },
      config: {
        rateLimit: {
          max: ctx.config.rateLimit.signInMax,
          timeWindow: ctx.config.rateLimit.windowMs,
        },
      },
    },
    async (request, reply) => {
      const p = sessionPrincipalOf(request)
      reply.header('cache-control', 'no-store')
      return startPasskeyAuthentication(ctx, p.tenantId, p.userId)
    },
  )

  app.post(
    '/api/v1/sessions/current/step-up',
    {
      preValidation: guard,
      schema: {
        tags: ['sessions'],
        summary: 'Prove who you are again (password, and second factor if you have one)',
        description:
          'Changing second factors, the e-mail address or the password needs a sign-in or step-up no older than RAMPART_STEP_UP_MAX_AGE (10 minutes by default).',
        body: StepUpBody,
        response: {
          200: Type.Object({ authenticatedAt: Type.String({ format: 'date-time' }) }),
          ...errorResponses(400, 401, 403, 413, 415, 422, 429),
        },
      },
      config: {
        rateLimit: {
          max: ctx.config.rateLimit.signInMax,
          timeWindow: ctx.config.rateLimit.windowMs,
        },
      },
    },
    async (request) => {
      const { authenticatedAt } = await stepUp(
        ctx,
        sessionPrincipalOf(request),
        { ...request.body, deviceToken: request.cookies[DEVICE_COOKIE] },
        requestMeta(request),
      )
      return { authenticatedAt: authenticatedAt.toISOString() }
    },
  )

  app.get(
    '/api/v1/me',
    {
      preValidation: guard,
      schema: {
        tags: ['sessions'],
        summary: 'The signed-in user, their tenant and session',
        response: { 200: MeReply, ...errorResponses(401) },
      },
    },
    async (request) => {
      const p = sessionPrincipalOf(request)
      return {
        user: {
          id: p.userId,
          email: p.email,
          emailVerified: p.emailVerified,
          role: p.role,
          permissions: [...permissionsOfRole(p.role)],
        },
        tenant: { id: p.tenantId, ...p.tenant },
        session: {
          id: p.sessionId,
          expiresAt: p.expiresAt.toISOString(),
          scope: p.scope,
          authenticatedAt: p.authenticatedAt.toISOString(),
        },
        ...(request.credentialSource === 'cookie' ? { csrfToken: csrfTokenFor(p.token) } : {}),
      }
    },
  )
}
