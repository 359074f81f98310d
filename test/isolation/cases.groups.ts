// AUTHZ-5: isolation cases for the groups routes, merged into cases.ts. A names B's tenant in
// headers, queries and bodies and B's ids as group, user and grant ids; every answer is A's own
// (empty lists, A's new group) or the same 404 as for an id that never existed. The cases that
// need a group of A's make one in `verify`, then aim B's ids at it.
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import type { IsolationCase, IsolationContext, Party } from './cases.ts'

const idsOfB = (b: Party) => [b.tenant.id, b.owner.id, b.bearer.sessionId]

function expectStatus(responses: LightMyRequestResponse[], status: number, code?: string): void {
  for (const r of responses) {
    if (r.statusCode !== status || (code && r.json().error.code !== code)) {
      throw new Error(`expected ${status} ${code ?? ''}, got ${r.statusCode} ${r.body}`)
    }
  }
}

/** A's requests at each of B's ids in the `:groupId` place (and `rest` after it). */
function atGroupsOfB(
  method: InjectOptions['method'],
  rest: (b: Party) => string,
  payload?: object,
): (ctx: IsolationContext) => InjectOptions[] {
  return ({ a, b }) =>
    idsOfB(b).map((id) => ({
      method,
      url: `/api/v1/groups/${id}${rest(b)}`,
      headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      ...(payload ? { payload } : {}),
    }))
}

let made = 0

/** A group of A's own, made through the API. */
async function groupOfA({ app, a }: IsolationContext): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/groups',
    headers: a.bearer.authorization,
    payload: { name: `A's group ${++made}` },
  })
  if (res.statusCode !== 201) throw new Error(`A's group not made: ${res.body}`)
  return res.json().id
}

/** B's ids aimed at A's own group in the `rest` place; all must get 404 `code`. */
async function expectNotFoundInAsGroup(
  ctx: IsolationContext,
  method: InjectOptions['method'],
  rest: string,
  code: string,
): Promise<void> {
  const id = await groupOfA(ctx)
  const responses: LightMyRequestResponse[] = []
  for (const idOfB of idsOfB(ctx.b)) {
    responses.push(
      await ctx.app.inject({
        method,
        url: `/api/v1/groups/${id}/${rest}/${idOfB}`,
        headers: { ...ctx.a.bearer.authorization, 'x-tenant-id': ctx.b.tenant.id },
      }),
    )
  }
  expectStatus(responses, 404, code)
}

const notFound = (responses: LightMyRequestResponse[]) =>
  expectStatus(responses, 404, 'ACCESS_GROUP_NOT_FOUND')

export const groupsCases: Record<string, IsolationCase> = {
  'GET /api/v1/groups': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: `/api/v1/groups?tenant=${b.tenant.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
      { method: 'GET', url: '/api/v1/groups', cookies: a.cookie.cookies },
    ],
    verify: (responses) => {
      expectStatus(responses, 200)
      for (const r of responses) {
        if (r.json().groups.length !== 0) throw new Error(`A saw groups: ${r.body}`)
      }
    },
  },
  'POST /api/v1/groups': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: '/api/v1/groups',
        headers: a.bearer.authorization,
        payload: { name: 'Into B?', tenantId: b.tenant.id },
      },
      {
        method: 'POST',
        url: `/api/v1/groups?tenant=${b.tenant.id}`,
        cookies: a.cookie.cookies,
        headers: { 'x-csrf-token': a.cookie.csrf, 'x-tenant-id': b.tenant.id },
        payload: { name: 'Stays in A' },
      },
    ],
    verify: async (responses, { app, a }) => {
      expectStatus(responses.slice(0, 1), 400, 'REQUEST_INVALID')
      expectStatus(responses.slice(1), 201)
      const list = await app.inject({
        method: 'GET',
        url: '/api/v1/groups',
        headers: a.bearer.authorization,
      })
      const names = list.json().groups.map((g: { name: string }) => g.name)
      if (JSON.stringify(names) !== '["Stays in A"]') throw new Error(`not A's: ${list.body}`)
    },
  },
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
  'GET /api/v1/me/groups': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: `/api/v1/me/groups?user=${b.owner.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
      { method: 'GET', url: '/api/v1/me/groups', cookies: a.cookie.cookies },
    ],
    verify: (responses) => {
      expectStatus(responses, 200)
      for (const r of responses) {
        if (r.json().groups.length !== 0) throw new Error(`A saw groups: ${r.body}`)
      }
    },
  },
}
