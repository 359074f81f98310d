// IAM-6: sessions and devices, for the signed-in user (/me/sessions) and for owners and admins
// over any user of their organisation (/users/:userId/sessions).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import {
  clearSessionCookie,
  principalOf,
  requestMeta,
  requireSession,
  sessionPrincipalOf,
} from '../../http/session-auth.ts'
import {
  listMySessions,
  listUserSessions,
  revokeAllSessionsOfUser,
  revokeMyOtherSessions,
  revokeMySession,
  revokeSessionOfUser,
} from './devices.service.ts'

const Device = Type.Object({
  id: Type.String({ format: 'uuid' }),
  device: Type.String({ description: 'Browser and system, e.g. "Firefox 132 on Linux"' }),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  firstSeenAt: Type.String({ format: 'date-time', description: 'When the session began' }),
  lastSeenAt: Type.String({ format: 'date-time', description: 'Within a minute' }),
  expiresAt: Type.String({ format: 'date-time', description: 'Absolute expiry' }),
  current: Type.Boolean({ description: 'The session making this request' }),
})

const DeviceList = Type.Object({
  sessions: Type.Array(Device, { description: 'Live sessions, newest first, at most 200' }),
})

const RevokedCount = Type.Object({ revoked: Type.Integer() })

const SessionParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
const UserParams = Type.Object({ userId: Type.String({ format: 'uuid' }) })
const UserSessionParams = Type.Object({
  userId: Type.String({ format: 'uuid' }),
  id: Type.String({ format: 'uuid' }),
})

/** A cookie whose session just ended is dropped, as sign-out does. */
function forgetCookieIf(ended: boolean, request: FastifyRequest, reply: FastifyReply): void {
  if (ended && request.credentialSource === 'cookie') clearSessionCookie(reply)
}

export const deviceRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  const guard = requireSession(ctx)
  const adminGuard = requireSession(ctx, { permission: 'sessions.manage' })

  app.get(
    '/api/v1/me/sessions',
    {
      preValidation: guard,
      schema: {
        tags: ['sessions'],
        summary: 'My live sessions: device, IP address, first and last seen',
        response: { 200: DeviceList, ...errorResponses(401) },
      },
    },
    async (request) => ({ sessions: await listMySessions(ctx, sessionPrincipalOf(request)) }),
  )

  app.delete(
    '/api/v1/me/sessions/:id',
    {
      preValidation: guard,
      schema: {
        tags: ['sessions'],
        summary: 'Revoke one of my sessions (the current one signs me out)',
        params: SessionParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { wasCurrent } = await revokeMySession(
        ctx,
        sessionPrincipalOf(request),
        request.params.id,
        requestMeta(request),
      )
      forgetCookieIf(wasCurrent, request, reply)
      return reply.status(204).send(null)
    },
  )

  app.delete(
    '/api/v1/me/sessions',
    {
      preValidation: guard,
      schema: {
        tags: ['sessions'],
        summary: 'Revoke all my sessions except the current one (others=true)',
        // The flag is required so that no bare DELETE reads as "everything, this one too".
        querystring: Type.Object(
          { others: Type.Literal('true', { description: 'Must be true: keep the current one' }) },
          { additionalProperties: false },
        ),
        response: { 200: RevokedCount, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ({
      revoked: await revokeMyOtherSessions(ctx, sessionPrincipalOf(request), requestMeta(request)),
    }),
  )

  app.get(
    '/api/v1/users/:userId/sessions',
    {
      preValidation: adminGuard,
      schema: {
        tags: ['sessions'],
        summary: "A user's live sessions (owners and admins)",
        params: UserParams,
        response: { 200: DeviceList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      sessions: await listUserSessions(
        ctx,
        principalOf(request),
        request.params.userId,
        requestMeta(request),
      ),
    }),
  )

  app.delete(
    '/api/v1/users/:userId/sessions',
    {
      preValidation: adminGuard,
      schema: {
        tags: ['sessions'],
        summary: "Revoke all of a user's sessions (owners and admins)",
        params: UserParams,
        response: { 200: RevokedCount, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { revoked, includedCurrent } = await revokeAllSessionsOfUser(
        ctx,
        principalOf(request),
        request.params.userId,
        requestMeta(request),
      )
      forgetCookieIf(includedCurrent, request, reply)
      return { revoked }
    },
  )

  app.delete(
    '/api/v1/users/:userId/sessions/:id',
    {
      preValidation: adminGuard,
      schema: {
        tags: ['sessions'],
        summary: "Revoke one of a user's sessions (owners and admins)",
        params: UserSessionParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { wasCurrent } = await revokeSessionOfUser(
        ctx,
        principalOf(request),
        request.params.userId,
        request.params.id,
        requestMeta(request),
      )
      forgetCookieIf(wasCurrent, request, reply)
      return reply.status(204).send(null)
    },
  )
}
