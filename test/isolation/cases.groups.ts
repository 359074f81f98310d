// AUTHZ-5: isolation cases for the groups routes, merged into cases.ts. A names B's tenant in
// headers, queries and bodies and B's ids as group, user and grant ids; every answer is A's own
// (empty lists, A's new group) or the same 404 as for an id that never existed. The cases that
// need a group of A's make one in `verify`, then aim B's ids at it.
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import {
  atIdsOfB,
  createsOnlyInA,
  expectNotFoundAtIdsOfB,
  expectStatus,
  idsOfB,
  listsNothingOfB,
  madeByA,
} from './case-helpers.ts'
import type { IsolationCase, IsolationContext, Party } from './cases.ts'

/** A's requests at each of B's ids in the `:groupId` place (and `rest` after it). */
const atGroupsOfB = (
  method: InjectOptions['method'],
  rest: (b: Party) => string,
  payload?: object,
) => atIdsOfB('/api/v1/groups', method, rest, payload)

let made = 0

/** A group of A's own, made through the API. */
const groupOfA = (ctx: IsolationContext) =>
  madeByA(ctx, '/api/v1/groups', { name: `A's group ${++made}` })

/** B's ids aimed at A's own group in the `rest` place; all must get 404 `code`. */
async function expectNotFoundInAsGroup(
  ctx: IsolationContext,
  method: InjectOptions['method'],
  rest: string,
  code: string,
): Promise<void> {
  const id = await groupOfA(ctx)
  await expectNotFoundAtIdsOfB(
    ctx,
    method,
    (idOfB) => `/api/v1/groups/${id}/${rest}/${idOfB}`,
    code,
  )
}

const notFound = (responses: LightMyRequestResponse[]) =>
  expectStatus(responses, 404, 'ACCESS_GROUP_NOT_FOUND')

export const groupsCases: Record<string, IsolationCase> = {
  'GET /api/v1/groups': listsNothingOfB('/api/v1/groups', 'groups'),
  'POST /api/v1/groups': createsOnlyInA('/api/v1/groups', 'groups', {}),
  'GET /api/v1/groups/:groupId': {
    kind: 'tenant',
    requests: atGroupsOfB('GET', () => ''),
    verify: notFound,
  },
  'PATCH /api/v1/groups/:groupId': {
    kind: 'tenant',
    requests: atGroupsOfB('PATCH', () => '', { name: 'Renamed by A' }),
    verify: notFound,
  },
  'DELETE /api/v1/groups/:groupId': {
    kind: 'tenant',
    requests: atGroupsOfB('DELETE', () => ''),
    verify: notFound,
  },
  'GET /api/v1/groups/:groupId/members': {
    kind: 'tenant',
    requests: atGroupsOfB('GET', () => '/members'),
    verify: notFound,
  },
  'PUT /api/v1/groups/:groupId/members/:userId': {
    kind: 'tenant',
    requests: atGroupsOfB('PUT', (b) => `/members/${b.owner.id}`),
    verify: async (responses, ctx) => {
      notFound(responses)
      // B's user (and B's other ids) cannot join A's own group either.
      await expectNotFoundInAsGroup(ctx, 'PUT', 'members', 'ACCESS_GROUP_USER_NOT_FOUND')
    },
  },
  'DELETE /api/v1/groups/:groupId/members/:userId': {
    kind: 'tenant',
    requests: atGroupsOfB('DELETE', (b) => `/members/${b.owner.id}`),
    verify: async (responses, ctx) => {
      notFound(responses)
      await expectNotFoundInAsGroup(ctx, 'DELETE', 'members', 'ACCESS_GROUP_MEMBER_NOT_FOUND')
    },
  },
  'GET /api/v1/groups/:groupId/grants': {
    kind: 'tenant',
    requests: atGroupsOfB('GET', () => '/grants'),
    verify: notFound,
  },
  // The collection type is registered (src/modules/data), so the request reaches the group
  // look-up: B's ids as group ids are not found, and nothing is granted on B's user id.
  'POST /api/v1/groups/:groupId/grants': {
    kind: 'tenant',
    requests: ({ a, b }) =>
      idsOfB(b).map((id) => ({
        method: 'POST' as const,
        url: `/api/v1/groups/${id}/grants`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        payload: { resourceType: 'collection', resourceId: b.owner.id, permission: 'view' },
      })),
    verify: notFound,
  },
  'DELETE /api/v1/groups/:groupId/grants/:grantId': {
    kind: 'tenant',
    requests: atGroupsOfB('DELETE', (b) => `/grants/${b.bearer.sessionId}`),
    verify: async (responses, ctx) => {
      notFound(responses)
      await expectNotFoundInAsGroup(ctx, 'DELETE', 'grants', 'ACCESS_GRANT_NOT_FOUND')
    },
  },
  // AUTHZ-2: B's ids as the resource (and B's tenant in the header) list no grant of B's: the
  // answer is A's own grants on that id, which are none.
  'GET /api/v1/grants': {
    kind: 'tenant',
    requests: ({ a, b }) =>
      idsOfB(b).map((id) => ({
        method: 'GET' as const,
        url: `/api/v1/grants?resourceType=collection&resourceId=${id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      })),
    verify: (responses) => {
      expectStatus(responses, 200)
      for (const r of responses) {
        if (r.json().grants.length !== 0) throw new Error(`A saw grants: ${r.body}`)
      }
    },
  },
  'GET /api/v1/me/groups': listsNothingOfB(
    '/api/v1/me/groups',
    'groups',
    (b) => `?user=${b.owner.id}`,
  ),
}
