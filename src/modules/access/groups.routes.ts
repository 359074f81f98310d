// AUTHZ-2: groups, members and grants. Reading needs groups.read, every change groups.manage
// (checked before the body is validated); a signed-in user lists their own groups with no
// permission at all. docs/groups.md describes the routes and the grant model.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import { SingleLineText } from '../../http/schemas.ts'
import {
  principalOf,
  requestMeta,
  requireSession,
  sessionPrincipalOf,
} from '../../http/session-auth.ts'
import {
  addGroupGrant,
  listGroupGrants,
  listResourceGrants,
  removeGroupGrant,
} from './grants.service.ts'
import {
  addGroupMember,
  changeGroup,
  createGroup,
  getGroup,
  listAllGroups,
  listGroupMembers,
  listMyGroups,
  MAX_DESCRIPTION_LENGTH,
  MAX_GROUPS_PER_TENANT,
  MAX_NAME_LENGTH,
  removeGroup,
  removeGroupMember,
} from './groups.service.ts'

const Uuid = Type.String({ format: 'uuid' })
const NullableUuid = Type.Union([Uuid, Type.Null()])
const Time = Type.String({ format: 'date-time' })

const Group = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  memberCount: Type.Integer(),
  grantCount: Type.Integer(),
  createdBy: NullableUuid,
  createdAt: Time,
  updatedAt: Time,
})

const GroupSummary = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
})

const Member = Type.Object({
  userId: Uuid,
  email: Type.Union([Type.String(), Type.Null()], {
    description: 'Shown to callers who may read users (users.read); null otherwise',
  }),
  addedBy: NullableUuid,
  addedAt: Time,
})

const Grant = Type.Object({
  id: Uuid,
  groupId: Uuid,
  resourceType: Type.String(),
  resourceId: Uuid,
  permission: Type.String(),
  createdBy: NullableUuid,
  createdAt: Time,
})

const ResourceGrant = Type.Object({
  ...Grant.properties,
  groupName: Type.String(),
})

// The schema bounds are generous; the service applies the exact rules after trimming and NFC.
const Name = SingleLineText({
  minLength: 1,
  maxLength: MAX_NAME_LENGTH * 2,
  description: `1 to ${MAX_NAME_LENGTH} characters once trimmed; unique ignoring letter case`,
})
const Description = Type.Union(
  [Type.String({ maxLength: MAX_DESCRIPTION_LENGTH * 2 }), Type.Null()],
  { description: `At most ${MAX_DESCRIPTION_LENGTH} characters; null or empty for none` },
)

const GroupParams = Type.Object({ groupId: Uuid })
const MemberParams = Type.Object({ groupId: Uuid, userId: Uuid })
const GrantParams = Type.Object({ groupId: Uuid, grantId: Uuid })
const ResourceType = Type.String({ minLength: 1, maxLength: 64, description: 'A registered type' })
const ResourceQuery = Type.Object(
  { resourceType: ResourceType, resourceId: Uuid },
  { additionalProperties: false },
)

export const groupRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  const read = requireSession(ctx, { permission: 'groups.read' })
  const manage = requireSession(ctx, { permission: 'groups.manage' })
  const tags = ['groups']

  app.get(
    '/api/v1/groups',
    {
      preValidation: read,
      schema: {
        tags,
        summary: `The organisation's groups (at most ${MAX_GROUPS_PER_TENANT}), by name, with member and grant counts`,
        response: { 200: Type.Object({ groups: Type.Array(Group) }), ...errorResponses(401, 403) },
      },
    },
    async (request) => ({ groups: await listAllGroups(ctx, principalOf(request)) }),
  )

  app.post(
    '/api/v1/groups',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Create a group',
        body: Type.Object(
          { name: Name, description: Type.Optional(Description) },
          { additionalProperties: false },
        ),
        response: { 201: Group, ...errorResponses(400, 401, 403, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const group = await createGroup(ctx, principalOf(request), request.body, requestMeta(request))
      return reply.status(201).send(group)
    },
  )

  app.get(
    '/api/v1/groups/:groupId',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'One group',
        params: GroupParams,
        response: { 200: Group, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => getGroup(ctx, principalOf(request), request.params.groupId),
  )

  app.patch(
    '/api/v1/groups/:groupId',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Rename a group or change its description',
        params: GroupParams,
        body: Type.Object(
          { name: Type.Optional(Name), description: Type.Optional(Description) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Group, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request) =>
      changeGroup(
        ctx,
        principalOf(request),
        request.params.groupId,
        request.body,
        requestMeta(request),
      ),
  )

  app.delete(
    '/api/v1/groups/:groupId',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Delete a group, its memberships and its grants',
        params: GroupParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await removeGroup(ctx, principalOf(request), request.params.groupId, requestMeta(request))
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/api/v1/groups/:groupId/members',
    {
      preValidation: read,
      schema: {
        tags,
        summary: "A group's members",
        params: GroupParams,
        response: {
          200: Type.Object({ members: Type.Array(Member) }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({
      members: await listGroupMembers(ctx, principalOf(request), request.params.groupId),
    }),
  )

  app.put(
    '/api/v1/groups/:groupId/members/:userId',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Add a user of the organisation to a group (201; 200 when already a member)',
        params: MemberParams,
        response: { 200: Member, 201: Member, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { member, created } = await addGroupMember(
        ctx,
        principalOf(request),
        request.params.groupId,
        request.params.userId,
        requestMeta(request),
      )
      return reply.status(created ? 201 : 200).send(member)
    },
  )

  app.delete(
    '/api/v1/groups/:groupId/members/:userId',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Remove a member from a group; their access through it ends at once',
        params: MemberParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await removeGroupMember(
        ctx,
        principalOf(request),
        request.params.groupId,
        request.params.userId,
        requestMeta(request),
      )
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/api/v1/groups/:groupId/grants',
    {
      preValidation: read,
      schema: {
        tags,
        summary: "A group's grants",
        params: GroupParams,
        response: {
          200: Type.Object({ grants: Type.Array(Grant) }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({
      grants: await listGroupGrants(ctx, principalOf(request), request.params.groupId),
    }),
  )

  app.post(
    '/api/v1/groups/:groupId/grants',
    {
      preValidation: manage,
      schema: {
        tags,
        summary:
          "Grant a group's members one permission on one resource (201; 200 when the group already holds it)",
        params: GroupParams,
        body: Type.Object(
          {
            resourceType: ResourceType,
            resourceId: Uuid,
            permission: Type.String({
              minLength: 1,
              maxLength: 64,
              description: "One of the type's permissions",
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Grant,
          201: Grant,
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const { grant, created } = await addGroupGrant(
        ctx,
        principalOf(request),
        request.params.groupId,
        request.body,
        requestMeta(request),
      )
      return reply.status(created ? 201 : 200).send(grant)
    },
  )

  app.delete(
    '/api/v1/groups/:groupId/grants/:grantId',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Remove a grant; the access it gave ends at once',
        params: GrantParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await removeGroupGrant(
        ctx,
        principalOf(request),
        request.params.groupId,
        request.params.grantId,
        requestMeta(request),
      )
      return reply.status(204).send(null)
    },
  )

  // One resource's grants in one request (a resource's sharing screen), instead of every
  // group's list: groups.read, like the per-group list whose union this is. A resource that
  // does not exist or is another organisation's simply has none (grants.service.ts).
  app.get(
    '/api/v1/grants',
    {
      preValidation: read,
      schema: {
        tags,
        summary: "Every group's grants on one resource, with the group's name",
        querystring: ResourceQuery,
        response: {
          200: Type.Object({ grants: Type.Array(ResourceGrant) }),
          ...errorResponses(400, 401, 403, 422),
        },
      },
    },
    async (request) => ({
      grants: await listResourceGrants(
        ctx,
        principalOf(request),
        request.query.resourceType,
        request.query.resourceId,
      ),
    }),
  )

  app.get(
    '/api/v1/me/groups',
    {
      preValidation: requireSession(ctx),
      schema: {
        tags,
        summary: 'The groups I belong to',
        response: {
          200: Type.Object({ groups: Type.Array(GroupSummary) }),
          ...errorResponses(401, 403),
        },
      },
    },
    async (request) => ({ groups: await listMyGroups(ctx, sessionPrincipalOf(request)) }),
  )
}
