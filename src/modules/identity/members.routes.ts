// IAM-1, IAM-7: the organisation's users, invitations and ownership. This plugin holds the users
// routes and leaving (DELETE /api/v1/me), and registers the invitation and ownership plugins.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
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
import { leaveOrganisation } from './account-deletion.service.ts'
import { invitationRoutes } from './invitations.routes.ts'
import { PageQuery, pageLimit, Role, UserParams, UserSummary } from './members.schemas.ts'
import {
  changeRole,
  deactivateMember,
  getMember,
  listMemberPage,
  reactivateMember,
  removeMember,
} from './members.service.ts'
import { ownershipRoutes } from './ownership.routes.ts'
import { sensitiveChangeGuards } from './step-up.guard.ts'

export const memberRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  const read = requireSession(ctx, { permission: 'users.read' })
  const manage = requireSession(ctx, { permission: 'users.manage' })
  // Irreversible or privilege-changing: a fresh sign-in or step-up too, so sessions only.
  const manageFresh = sensitiveChangeGuards(ctx, { permission: 'users.manage' })

  app.get(
    '/api/v1/users',
    {
      preValidation: read,
      schema: {
        tags: ['users'],
        summary: 'The users of the organisation, by e-mail address, with a cursor',
        querystring: PageQuery,
        response: {
          200: Type.Object({
            users: Type.Array(UserSummary),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) =>
      listMemberPage(
        ctx,
        principalOf(request),
        request.query.cursor,
        pageLimit(request.query.limit),
      ),
  )

  app.get(
    '/api/v1/users/:userId',
    {
      preValidation: read,
      schema: {
        tags: ['users'],
        summary: 'One user of the organisation',
        params: UserParams,
        response: { 200: UserSummary, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => getMember(ctx, principalOf(request), request.params.userId),
  )

  app.put(
    '/api/v1/users/:userId/role',
    {
      preValidation: manageFresh,
      schema: {
        tags: ['users'],
        summary: "Change a user's role; owners only with owners.manage; the last owner stays",
        params: UserParams,
        body: Type.Object({ role: Role }, { additionalProperties: false }),
        response: { 200: UserSummary, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) =>
      changeRole(
        ctx,
        principalOf(request),
        request.params.userId,
        request.body.role,
        requestMeta(request),
      ),
  )

  app.post(
    '/api/v1/users/:userId/deactivate',
    {
      preValidation: manage,
      schema: {
        tags: ['users'],
        summary: 'Deactivate a user: every session of theirs ends at once',
        params: UserParams,
        response: { 200: UserSummary, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      deactivateMember(ctx, principalOf(request), request.params.userId, requestMeta(request)),
  )

  app.post(
    '/api/v1/users/:userId/reactivate',
    {
      preValidation: manage,
      schema: {
        tags: ['users'],
        summary: 'Reactivate a deactivated user; they sign in again',
        params: UserParams,
        response: { 200: UserSummary, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      reactivateMember(ctx, principalOf(request), request.params.userId, requestMeta(request)),
  )

  app.delete(
    '/api/v1/users/:userId',
    {
      preValidation: manageFresh,
      schema: {
        tags: ['users'],
        summary: 'Remove a user and everything that hangs on them (sessions, factors, tokens)',
        params: UserParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await removeMember(ctx, principalOf(request), request.params.userId, requestMeta(request))
      return reply.status(204).send(null)
    },
  )

  app.delete(
    '/api/v1/me',
    {
      preValidation: sensitiveChangeGuards(ctx),
      schema: {
        tags: ['users'],
        summary: 'Leave the organisation: your account and its sessions are deleted',
        description:
          'Needs a sign-in or step-up no older than RAMPART_STEP_UP_MAX_AGE. The last active owner gets 409 IDENTITY_LAST_OWNER and must make someone else owner first.',
        response: { 204: Type.Null(), ...errorResponses(401, 403, 409) },
      },
    },
    async (request, reply) => {
      await leaveOrganisation(ctx, sessionPrincipalOf(request), requestMeta(request))
      if (request.credentialSource === 'cookie') clearSessionCookie(reply)
      return reply.status(204).send(null)
    },
  )

  await app.register(invitationRoutes, { ctx })
  await app.register(ownershipRoutes, { ctx })
}
