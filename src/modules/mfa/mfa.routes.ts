// IAM-4: the signed-in user's own second factors. Every route acts on the caller's user as the
// session names it: no route takes a user or tenant id, so none can reach anyone else's factors.
// Secrets and codes appear only in the two responses that create them, sent with no-store.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import { requestMeta, requireSession, sessionPrincipalOf } from '../../http/session-auth.ts'
import { factorChangeGuards } from './mfa.guards.ts'
import { mfaState } from './mfa.service.ts'
import { generateRecoveryCodes } from './recovery-codes.service.ts'
import { confirmTotpEnrolment, removeTotp, startTotpEnrolment } from './totp.service.ts'

const MfaStateReply = Type.Object({
  totp: Type.Union([
    Type.Object({
      enabled: Type.Boolean({ description: 'False while the enrolment awaits its first code' }),
      confirmedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
    Type.Null(),
  ]),
  recoveryCodes: Type.Object({ remaining: Type.Integer({ minimum: 0 }) }),
  passkeys: Type.Object({ count: Type.Integer({ minimum: 0 }) }),
})

const TotpEnrolmentReply = Type.Object({
  otpauthUri: Type.String({ description: 'otpauth://totp/... for authenticator apps' }),
  qrCode: Type.String({ description: 'The URI as a QR code: a data:image/png;base64 URL' }),
  secret: Type.String({ description: 'The secret in base32, for entering by hand' }),
})

const ConfirmBody = Type.Object(
  { code: Type.String({ pattern: '^[0-9]{6}$', description: 'The six digits the app shows' }) },
  { additionalProperties: false },
)

/**
 * SEC-3: the routes that take no input refuse any they are given (a user id, say) rather than
 * ignore it: no body, `null` or `{}`.
 */
const NoBody = Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()], {
  description: 'No body, null or {}',
})

/** Secrets and one-time codes must not stay in browser or proxy caches. */
function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store')
}

export const mfaRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  const changeGuards = factorChangeGuards(ctx)

  app.get(
    '/api/v1/me/mfa',
    {
      // IAM-4: an enrolment-only session needs to see what it has to enrol.
      preValidation: requireSession(ctx, { allowEnrolment: true }),
      schema: {
        tags: ['mfa'],
        summary: 'Your second factors: whether an authenticator is enabled, recovery codes left',
        response: { 200: MfaStateReply, ...errorResponses(401) },
      },
    },
    async (request) => mfaState(ctx, sessionPrincipalOf(request)),
  )

  app.post(
    '/api/v1/me/mfa/totp',
    {
      preValidation: changeGuards,
      schema: {
        tags: ['mfa'],
        summary: 'Start enrolling an authenticator app; replaces an unconfirmed enrolment',
        body: NoBody,
        response: { 201: TotpEnrolmentReply, ...errorResponses(400, 401, 403, 409, 415) },
      },
    },
    async (request, reply) => {
      const enrolment = await startTotpEnrolment(ctx, sessionPrincipalOf(request))
      return noStore(reply).status(201).send(enrolment)
    },
  )

  app.post(
    '/api/v1/me/mfa/totp/confirm',
    {
      preValidation: changeGuards,
      schema: {
        tags: ['mfa'],
        summary: 'Enable the enrolled authenticator with a code it shows',
        body: ConfirmBody,
        response: { 200: MfaStateReply, ...errorResponses(400, 401, 403, 409, 413, 415, 422) },
      },
    },
    async (request) => {
      const principal = sessionPrincipalOf(request)
      await confirmTotpEnrolment(ctx, principal, request.body.code, requestMeta(request))
      return mfaState(ctx, principal)
    },
  )

  app.delete(
    '/api/v1/me/mfa/totp',
    {
      preValidation: changeGuards,
      schema: {
        tags: ['mfa'],
        summary: 'Remove the authenticator app (enabled or pending)',
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await removeTotp(ctx, sessionPrincipalOf(request), requestMeta(request))
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/api/v1/me/mfa/recovery-codes',
    {
      preValidation: changeGuards,
      schema: {
        tags: ['mfa'],
        summary: 'Replace your recovery codes with ten new ones, shown this once',
        body: NoBody,
        response: {
          201: Type.Object({
            codes: Type.Array(Type.String(), { description: 'Each usable once' }),
          }),
          ...errorResponses(400, 401, 403, 415),
        },
      },
    },
    async (request, reply) => {
      const codes = await generateRecoveryCodes(
        ctx,
        sessionPrincipalOf(request),
        requestMeta(request),
      )
      return noStore(reply).status(201).send({ codes })
    },
  )
}
