// IAM-7: ownership transfer. The offer needs owners.manage and a fresh step-up of the sender; the
// acceptance needs the recipient's own session with a fresh step-up too.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import {
  principalOf,
  requestMeta,
  requireSession,
  sessionPrincipalOf,
} from '../../http/session-auth.ts'
import { IdParams, Uuid } from './members.schemas.ts'
import {
  acceptTransfer,
  cancelTransfer,
  declineTransfer,
  offerTransfer,
  pendingTransfers,
} from './ownership.service.ts'
import { sensitiveChangeGuards } from './step-up.guard.ts'

const Party = Type.Object({ id: Type.String({ format: 'uuid' }), email: Type.String() })

const Transfer = Type.Object({
  id: Type.String({ format: 'uuid' }),
  from: Party,
  to: Party,
  status: Type.Union([
    Type.Literal('pending'),
    Type.Literal('accepted'),
    Type.Literal('declined'),
    Type.Literal('cancelled'),
    Type.Literal('expired'),
  ]),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
})

export const ownershipRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  const session = requireSession(ctx)
  const fresh = sensitiveChangeGuards(ctx)

  app.post(
    '/api/v1/tenant/ownership-transfers',
    {
      preValidation: sensitiveChangeGuards(ctx, { permission: 'owners.manage' }),
      schema: {
        tags: ['ownership'],
        summary: 'Offer ownership to another active user; they must accept within 7 days',
        body: Type.Object({ toUserId: Uuid }, { additionalProperties: false }),
        response: { 201: Transfer, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const offered = await offerTransfer(
        ctx,
        sessionPrincipalOf(request),
        request.body.toUserId,
        requestMeta(request),
      )
      return reply.status(201).send(offered)
    },
  )

  app.get(
    '/api/v1/tenant/ownership-transfers',
    {
      preValidation: session,
      schema: {
        tags: ['ownership'],
        summary: 'The pending transfer, to owners and to its recipient (an empty list otherwise)',
        response: {
          200: Type.Object({ transfers: Type.Array(Transfer) }),
          ...errorResponses(401, 403),
        },
      },
    },
    async (request) => ({ transfers: await pendingTransfers(ctx, principalOf(request)) }),
  )

  app.post(
    '/api/v1/tenant/ownership-transfers/:id/accept',
    {
      preValidation: fresh,
      schema: {
        tags: ['ownership'],
        summary: 'Accept (the recipient): you become an owner, the sender an admin',
        params: IdParams,
        response: { 200: Transfer, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      acceptTransfer(ctx, sessionPrincipalOf(request), request.params.id, requestMeta(request)),
  )

  app.post(
    '/api/v1/tenant/ownership-transfers/:id/decline',
    {
      preValidation: session,
      schema: {
        tags: ['ownership'],
        summary: 'Decline (the recipient); nothing changes',
        params: IdParams,
        response: { 200: Transfer, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      declineTransfer(ctx, sessionPrincipalOf(request), request.params.id, requestMeta(request)),
  )

  app.delete(
    '/api/v1/tenant/ownership-transfers/:id',
    {
      preValidation: session,
      schema: {
        tags: ['ownership'],
        summary: 'Cancel the offer (its sender or any owner)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await cancelTransfer(ctx, principalOf(request), request.params.id, requestMeta(request))
      return reply.status(204).send(null)
    },
  )
}
