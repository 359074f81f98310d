// AUTHZ-5: isolation cases for the access-reviews routes, merged into cases.ts. A names B's
// tenant, users and sessions in paths, queries, headers and bodies; A's own schedule and reviews
// change, B's never, and B's ids as review ids are the same 404 as ids that never existed.
import type { InjectOptions } from 'fastify'
import { expectStatus, idsOfB } from './case-helpers.ts'
import type { IsolationCase, IsolationContext } from './cases.ts'

/** A's requests at `path(id)` for each of B's ids, bearer and cookie. */
function atIdsOfB(
  { a, b }: IsolationContext,
  method: InjectOptions['method'],
  path: (id: string) => string,
  payload?: object,
): InjectOptions[] {
  return [
    ...idsOfB(b).map((id) => ({
      method,
      url: path(id),
      headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      ...(payload ? { payload } : {}),
    })),
    {
      method,
      url: path(b.owner.id),
      cookies: a.cookie.cookies,
      headers: { 'x-csrf-token': a.cookie.csrf },
      ...(payload ? { payload } : {}),
    },
  ]
}

const SCHEDULE = '/api/v1/tenant/access-review-schedule'

export const accessReviewsCases: Record<string, IsolationCase> = {
  [`GET ${SCHEDULE}`]: {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: `${SCHEDULE}?tenant=${b.tenant.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
    ],
    verify: (responses) => {
      expectStatus(responses, 200)
      if (responses[0]?.json().intervalDays !== 90) throw new Error('not A’s default schedule')
    },
  },
  // A's interval changes; B's stays as it was (the harness compares B's rows).
  [`PUT ${SCHEDULE}`]: {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'PUT',
        url: `${SCHEDULE}?tenant=${b.tenant.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        payload: { intervalDays: 7 },
      },
      {
        method: 'PUT',
        url: SCHEDULE,
        headers: a.bearer.authorization,
        payload: { intervalDays: 365, tenantId: b.tenant.id },
      },
    ],
    verify: (responses) => {
      expectStatus(responses.slice(0, 1), 200)
      expectStatus(responses.slice(1), 400, 'REQUEST_INVALID')
    },
  },
  // A opens its own review: only A's users are in it.
  'POST /api/v1/access-reviews': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: `/api/v1/access-reviews?tenant=${b.tenant.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
      {
        method: 'POST',
        url: '/api/v1/access-reviews',
        cookies: a.cookie.cookies,
        headers: { 'x-csrf-token': a.cookie.csrf, 'x-tenant-id': b.tenant.id },
      },
    ],
    verify: async (responses, { app, a }) => {
      expectStatus(responses.slice(0, 1), 201)
      expectStatus(responses.slice(1), 409, 'ACCESS_REVIEW_ALREADY_OPEN')
      const read = await app.inject({
        method: 'GET',
        url: `/api/v1/access-reviews/${responses[0]?.json().id}`,
        headers: a.bearer.authorization,
      })
      const users = (read.json().items as { userId: string }[]).map((i) => i.userId)
      if (users.join() !== a.owner.id) throw new Error(`not A's users alone: ${read.body}`)
    },
  },
  'GET /api/v1/access-reviews': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: `/api/v1/access-reviews?tenant=${b.tenant.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
    ],
    verify: (responses) => {
      expectStatus(responses, 200)
      if (responses[0]?.json().reviews.length !== 0) throw new Error('not A alone')
    },
  },
  'GET /api/v1/access-reviews/:reviewId': {
    kind: 'tenant',
    requests: (ctx) => atIdsOfB(ctx, 'GET', (id) => `/api/v1/access-reviews/${id}`),
    verify: (responses) => expectStatus(responses, 404, 'ACCESS_REVIEW_NOT_FOUND'),
  },
  'PUT /api/v1/access-reviews/:reviewId/items/:userId': {
    kind: 'tenant',
    requests: (ctx) => [
      ...atIdsOfB(ctx, 'PUT', (id) => `/api/v1/access-reviews/${id}/items/${ctx.b.owner.id}`, {
        decision: 'revoke',
      }),
      ...atIdsOfB(ctx, 'PUT', (id) => `/api/v1/access-reviews/${id}/items/${ctx.a.owner.id}`, {
        decision: 'keep',
      }),
    ],
    verify: (responses) => expectStatus(responses, 404, 'ACCESS_REVIEW_NOT_FOUND'),
  },
  'POST /api/v1/access-reviews/:reviewId/complete': {
    kind: 'tenant',
    requests: (ctx) => atIdsOfB(ctx, 'POST', (id) => `/api/v1/access-reviews/${id}/complete`),
    verify: (responses) => expectStatus(responses, 404, 'ACCESS_REVIEW_NOT_FOUND'),
  },
  'GET /api/v1/access-reviews/:reviewId/export': {
    kind: 'tenant',
    requests: (ctx) => [
      ...atIdsOfB(ctx, 'GET', (id) => `/api/v1/access-reviews/${id}/export?format=csv`),
      ...atIdsOfB(ctx, 'GET', (id) => `/api/v1/access-reviews/${id}/export`),
    ],
    verify: (responses) => expectStatus(responses, 404, 'ACCESS_REVIEW_NOT_FOUND'),
  },
}
