// IAM-4: the signed-in user's own passkeys. Every route acts on the caller's user as the session
// names it: none takes a user or tenant id, and a passkey id of anyone else's is simply not found.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import { requestMeta, requireSession, sessionPrincipalOf } from '../../http/session-auth.ts'
import { factorChangeGuards } from './mfa.guards.ts'
import {
  ChallengeId,
  RegistrationResponse,
  Transports,
  WebAuthnOptions,
} from './passkeys.schemas.ts'
import {
  finishPasskeyRegistration,
  listUserPasskeys,
  removePasskey,
  startPasskeyRegistration,
} from './passkeys.service.ts'

const Passkey = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  transports: Transports,
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})

/** SEC-3: no body, `null` or `{}`; a user id or anything else is refused, not ignored. */
const NoBody = Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()], {
  description: 'No body, null or {}',
})

const RegisterBody = Type.Object(
  {
    challengeId: ChallengeId,
    name: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'Your name for it, 1 to 64 characters ("Work laptop")',
    }),
    response: RegistrationResponse,
  },
  { additionalProperties: false },
)

const IdParams = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
)

export const passkeyRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  const changeGuards = factorChangeGuards(ctx)

  app.get(
    '/api/v1/me/mfa/passkeys',
    {
      // IAM-4: an enrolment-only session sees what it has enrolled so far.
      preValidation: requireSession(ctx, { allowEnrolment: true }),
      schema: {
        tags: ['mfa'],
        summary: 'Your passkeys: name, transports, when added and last used',
        response: {
          200: Type.Object({ passkeys: Type.Array(Passkey) }),
          ...errorResponses(401),
        },
      },
    },
    async (request) => ({ passkeys: await listUserPasskeys(ctx, sessionPrincipalOf(request)) }),
  )

  app.post(
    '/api/v1/me/mfa/passkeys/options',
    {
      preValidation: changeGuards,
      schema: {
        tags: ['mfa'],
        summary: 'Start registering a passkey: options for navigator.credentials.create()',
        description:
          'The challenge is bound to this session, works once and expires after five minutes. Send the challengeId back with the response.',
        body: NoBody,
        response: {
          201: Type.Object({ challengeId: Type.String(), options: WebAuthnOptions }),
          ...errorResponses(400, 401, 403, 409, 415),
        },
      },
    },
    async (request, reply) => {
      const started = await startPasskeyRegistration(ctx, sessionPrincipalOf(request))
      return reply.header('cache-control', 'no-store').status(201).send(started)
    },
  )

  app.post(
    '/api/v1/me/mfa/passkeys',
    {
      preValidation: changeGuards,
      schema: {
        tags: ['mfa'],
        summary: "Register a passkey: the authenticator's response to the options, and a name",
        body: RegisterBody,
        response: {
          201: Type.Object({ passkey: Passkey }),
          ...errorResponses(400, 401, 403, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const { challengeId, name, response } = request.body
      const passkey = await finishPasskeyRegistration(
        ctx,
        sessionPrincipalOf(request),
        { challengeId, name, response },
        requestMeta(request),
      )
      return reply.status(201).send({ passkey })
    },
  )

  app.delete(
    '/api/v1/me/mfa/passkeys/:id',
    {
      preValidation: changeGuards,
      schema: {
        tags: ['mfa'],
        summary: 'Remove one of your passkeys',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await removePasskey(ctx, sessionPrincipalOf(request), request.params.id, requestMeta(request))
      return reply.status(204).send(null)
    },
  )
}
