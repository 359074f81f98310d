// AUTHZ-5: isolation cases for the members routes, merged into cases.ts. A names B's tenant, users
// and sessions as user, invitation and transfer ids, in headers and bodies; B's ids get the same
// 404 as ids that never existed, and A's own changes stay in A.
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { expectStatus, idsOfB } from './case-helpers.ts'
import type { IsolationCase, IsolationContext } from './cases.ts'

/** A's bearer with B's tenant id in a header, which nothing may heed. */
const asA = ({ a, b }: IsolationContext) => ({
  ...a.bearer.authorization,
  'x-tenant-id': b.tenant.id,
})

/** One request per id of B, on the path `url(id)`. */
function atIdsOfB(
  ctx: IsolationContext,
  method: InjectOptions['method'],
  url: (id: string) => string,
  payload?: object,
): InjectOptions[] {
  return idsOfB(ctx.b).map((id) => ({
    method,
    url: url(id),
    headers: asA(ctx),
    ...(payload ? { payload } : {}),
  }))
}

const userNotFound = (responses: LightMyRequestResponse[]) =>
  expectStatus(responses, 404, 'IDENTITY_USER_NOT_FOUND')

/** B's tokens and ids offered as invitation tokens lead nowhere. */
function tokensOfB(ctx: IsolationContext, url: string, extra: object = {}): InjectOptions[] {
  const { a, b } = ctx
  return [b.bearer.token, b.cookie.csrf, b.tenant.id].map((token) => ({
    method: 'POST' as const,
    url,
    headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
    payload: { token, ...extra },
  }))
}

export const membersCases: Record<string, IsolationCase> = {
  'GET /api/v1/users': {
    kind: 'tenant',
    requests: (ctx) => [
      { method: 'GET', url: '/api/v1/users', headers: asA(ctx) },
      { method: 'GET', url: `/api/v1/users?tenant=${ctx.b.tenant.id}`, headers: asA(ctx) },
      {
        method: 'GET',
        url: `/api/v1/users?cursor=${Buffer.from(`u:${ctx.b.owner.id}`).toString('base64url')}`,
        headers: asA(ctx),
      },
    ],
    verify: (responses, { a }) => {
      expectStatus(responses.slice(0, 1), 200)
      const users = (responses[0]?.json().users ?? []) as { id: string }[]
      if (users.map((u) => u.id).join() !== a.owner.id) throw new Error('not A alone')
      expectStatus(responses.slice(1, 2), 400, 'REQUEST_INVALID')
      expectStatus(responses.slice(2), 400, 'IDENTITY_CURSOR_INVALID')
    },
  },
  'GET /api/v1/users/:userId': {
    kind: 'tenant',
    requests: (ctx) => atIdsOfB(ctx, 'GET', (id) => `/api/v1/users/${id}`),
    verify: userNotFound,
  },
  'PUT /api/v1/users/:userId/role': {
    kind: 'tenant',
    requests: (ctx) => atIdsOfB(ctx, 'PUT', (id) => `/api/v1/users/${id}/role`, { role: 'viewer' }),
    verify: userNotFound,
  },
  'POST /api/v1/users/:userId/deactivate': {
    kind: 'tenant',
    requests: (ctx) => atIdsOfB(ctx, 'POST', (id) => `/api/v1/users/${id}/deactivate`),
    verify: userNotFound,
  },
  'POST /api/v1/users/:userId/reactivate': {
    kind: 'tenant',
    requests: (ctx) => atIdsOfB(ctx, 'POST', (id) => `/api/v1/users/${id}/reactivate`),
    verify: userNotFound,
  },
  'DELETE /api/v1/users/:userId': {
    kind: 'tenant',
    requests: (ctx) => [
      ...atIdsOfB(ctx, 'DELETE', (id) => `/api/v1/users/${id}`),
      {
        method: 'DELETE',
        url: `/api/v1/users/${ctx.b.owner.id}`,
        cookies: ctx.a.cookie.cookies,
        headers: { 'x-csrf-token': ctx.a.cookie.csrf, 'x-tenant-id': ctx.b.tenant.id },
      },
    ],
    verify: userNotFound,
  },
  // IAM-7: A, its organisation's only owner, tries to leave with B's ids alongside: refused, and
  // B's owner is not the one who goes.
  'DELETE /api/v1/me': {
    kind: 'tenant',
    requests: (ctx) => [
      { method: 'DELETE', url: `/api/v1/me?user=${ctx.b.owner.id}`, headers: asA(ctx) },
      {
        method: 'DELETE',
        url: '/api/v1/me',
        cookies: ctx.a.cookie.cookies,
        headers: { 'x-csrf-token': ctx.a.cookie.csrf, 'x-user-id': ctx.b.owner.id },
      },
    ],
    verify: (responses) => expectStatus(responses, 409, 'IDENTITY_LAST_OWNER'),
  },

  // IAM-1: invitations. A's invitation lands in A whatever B ids come with it.
  'POST /api/v1/invitations': {
    kind: 'tenant',
    requests: (ctx) => [
      {
        method: 'POST',
        url: '/api/v1/invitations',
        headers: asA(ctx),
        payload: { email: `new-${ctx.a.tenant.slug}@a.example`, role: 'member' },
      },
      {
        method: 'POST',
        url: '/api/v1/invitations',
        headers: ctx.a.bearer.authorization,
        payload: { email: 'x@a.example', role: 'member', tenantId: ctx.b.tenant.id },
      },
    ],
    verify: (responses) => {
      expectStatus(responses.slice(0, 1), 201)
      expectStatus(responses.slice(1), 400, 'REQUEST_INVALID')
    },
  },
  'GET /api/v1/invitations': {
    kind: 'tenant',
    requests: (ctx) => [
      { method: 'GET', url: '/api/v1/invitations', headers: asA(ctx) },
      {
        method: 'GET',
        url: `/api/v1/invitations?cursor=${Buffer.from(`u:${ctx.b.owner.id}`).toString('base64url')}`,
        headers: asA(ctx),
      },
    ],
    verify: (responses) => {
      expectStatus(responses.slice(0, 1), 200)
      if (responses[0]?.json().invitations.length !== 0) throw new Error('A saw invitations')
      expectStatus(responses.slice(1), 400, 'IDENTITY_CURSOR_INVALID')
    },
  },
  'POST /api/v1/invitations/:id/resend': {
    kind: 'tenant',
    requests: (ctx) => atIdsOfB(ctx, 'POST', (id) => `/api/v1/invitations/${id}/resend`),
    verify: (responses) => expectStatus(responses, 404, 'IDENTITY_INVITATION_NOT_FOUND'),
  },
  'DELETE /api/v1/invitations/:id': {
    kind: 'tenant',
    requests: (ctx) => atIdsOfB(ctx, 'DELETE', (id) => `/api/v1/invitations/${id}`),
    verify: (responses) => expectStatus(responses, 404, 'IDENTITY_INVITATION_NOT_FOUND'),
  },
  'POST /api/v1/invitations/inspect': {
    kind: 'tenant',
    requests: (ctx) => tokensOfB(ctx, '/api/v1/invitations/inspect'),
    verify: (responses) => expectStatus(responses, 400, 'IDENTITY_INVITATION_TOKEN_INVALID'),
  },
  'POST /api/v1/invitations/accept': {
    kind: 'tenant',
    requests: (ctx) =>
      tokensOfB(ctx, '/api/v1/invitations/accept', { password: 'velvet-Harbour-71-quietly-Orbit' }),
    verify: (responses) => expectStatus(responses, 400, 'IDENTITY_INVITATION_TOKEN_INVALID'),
  },

  // IAM-7: ownership transfers. B's owner cannot be offered A's ownership, and B's ids lead to no
  // transfer of A's.
  'POST /api/v1/tenant/ownership-transfers': {
    kind: 'tenant',
    requests: (ctx) =>
      idsOfB(ctx.b).map((toUserId) => ({
        method: 'POST' as const,
        url: '/api/v1/tenant/ownership-transfers',
        headers: asA(ctx),
        payload: { toUserId },
      })),
    verify: userNotFound,
  },
  'GET /api/v1/tenant/ownership-transfers': {
    kind: 'tenant',
    requests: (ctx) => [
      { method: 'GET', url: '/api/v1/tenant/ownership-transfers', headers: asA(ctx) },
    ],
    verify: (responses) => {
      expectStatus(responses, 200)
      if (responses[0]?.json().transfers.length !== 0) throw new Error('A saw a transfer')
    },
  },
  'POST /api/v1/tenant/ownership-transfers/:id/accept': {
    kind: 'tenant',
    requests: (ctx) =>
      atIdsOfB(ctx, 'POST', (id) => `/api/v1/tenant/ownership-transfers/${id}/accept`),
    verify: (responses) => expectStatus(responses, 404, 'IDENTITY_TRANSFER_NOT_FOUND'),
  },
  'POST /api/v1/tenant/ownership-transfers/:id/decline': {
    kind: 'tenant',
    requests: (ctx) =>
      atIdsOfB(ctx, 'POST', (id) => `/api/v1/tenant/ownership-transfers/${id}/decline`),
    verify: (responses) => expectStatus(responses, 404, 'IDENTITY_TRANSFER_NOT_FOUND'),
  },
  'DELETE /api/v1/tenant/ownership-transfers/:id': {
    kind: 'tenant',
    requests: (ctx) => atIdsOfB(ctx, 'DELETE', (id) => `/api/v1/tenant/ownership-transfers/${id}`),
    verify: (responses) => expectStatus(responses, 404, 'IDENTITY_TRANSFER_NOT_FOUND'),
  },
}
