// IAM-1: invitations. Admins invite, list, resend and revoke; the two public routes, reached by
// the token in the mailed link, are rate limited per client address like password reset (SEC-4).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import { principalOf, requestMeta, requireSession } from '../../http/session-auth.ts'
import {
  acceptInvitation,
  createInvitation,
  inspectInvitation,
  listInvitationPage,
  resendInvitation,
  revokeInvitation,
} from './invitations.service.ts'
import { IdParams, PageQuery, pageLimit, Role } from './members.schemas.ts'
import { sensitiveChangeGuards } from './step-up.guard.ts'

const Invitation = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  role: Role,
  invitedBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  sentAt: Type.String({ format: 'date-time', description: 'When the current link was mailed' }),
  expiresAt: Type.String({ format: 'date-time' }),
  expired: Type.Boolean({ description: 'The link lapsed; a resend mails a new one' }),
})

const TokenBody = {
  token: Type.String({
    minLength: 1,
    maxLength: 256,
    description: 'The token from the link, after #token=',
  }),
}

export const invitationRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  const invite = requireSession(ctx, { permission: 'users.invite' })
  // IAM-1, IAM-7: an invitation can make an admin or an owner, as a role change can: the same
  // session and recent sign-in, so a stolen session or a key cannot plant an account.
  const inviteFresh = sensitiveChangeGuards(ctx, { permission: 'users.invite' })
  const rateLimit = {
    max: ctx.config.rateLimit.passwordResetMax,
    timeWindow: ctx.config.rateLimit.windowMs,
  }

  app.post(
    '/api/v1/invitations',
    {
      preValidation: inviteFresh,
      schema: {
        tags: ['invitations'],
        summary: 'Invite someone by e-mail with a role (owner needs owners.manage too)',
        body: Type.Object(
          { email: Type.String({ format: 'email', maxLength: 254 }), role: Role },
          { additionalProperties: false },
        ),
        response: { 201: Invitation, ...errorResponses(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const created = await createInvitation(
        ctx,
        principalOf(request),
        request.body,
        requestMeta(request),
      )
      return reply.status(201).send(created)
    },
  )

  app.get(
    '/api/v1/invitations',
    {
      preValidation: requireSession(ctx, { permission: 'users.read' }),
      schema: {
        tags: ['invitations'],
        summary: 'Open invitations (not accepted or revoked) by address, with a cursor',
        querystring: PageQuery,
        response: {
          200: Type.Object({
            invitations: Type.Array(Invitation),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) =>
      listInvitationPage(
        ctx,
        principalOf(request),
        request.query.cursor,
        pageLimit(request.query.limit),
      ),
  )

  app.post(
    '/api/v1/invitations/:id/resend',
    {
      preValidation: inviteFresh,
      schema: {
        tags: ['invitations'],
        summary: 'Mail a new link valid for 7 days; the previous link stops working',
        params: IdParams,
        response: { 200: Invitation, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      resendInvitation(ctx, principalOf(request), request.params.id, requestMeta(request)),
  )

  app.delete(
    '/api/v1/invitations/:id',
    {
      preValidation: invite,
      schema: {
        tags: ['invitations'],
        summary: 'Revoke an open invitation; its link stops working',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await revokeInvitation(ctx, principalOf(request), request.params.id, requestMeta(request))
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/api/v1/invitations/inspect',
    {
      schema: {
        tags: ['invitations'],
        summary: 'What an invitation link is for: organisation, address and role (public)',
        body: Type.Object(TokenBody, { additionalProperties: false }),
        response: {
          200: Type.Object({
            organisation: Type.Object({ name: Type.String(), slug: Type.String() }),
            email: Type.String(),
            role: Role,
            expiresAt: Type.String({ format: 'date-time' }),
          }),
          ...errorResponses(400, 413, 415, 429),
        },
      },
      config: { rateLimit },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return inspectInvitation(ctx, request.body.token)
    },
  )

  app.post(
    '/api/v1/invitations/accept',
    {
      schema: {
        tags: ['invitations'],
        summary: 'Accept an invitation with a password: the account is created (public)',
        body: Type.Object(
          { ...TokenBody, password: Type.String({ minLength: 1, maxLength: 1024 }) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            user: Type.Object({
              id: Type.String({ format: 'uuid' }),
              email: Type.String(),
              role: Role,
            }),
            tenant: Type.Object({
              slug: Type.String({ description: 'Sign in with this organisation slug' }),
              name: Type.String(),
            }),
          }),
          ...errorResponses(400, 409, 413, 415, 422, 429),
        },
      },
      config: { rateLimit },
    },
    async (request, reply) => {
      const accepted = await acceptInvitation(ctx, request.body, requestMeta(request))
      return reply.status(201).send(accepted)
    },
  )
}
