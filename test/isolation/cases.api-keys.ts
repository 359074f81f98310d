// AUTHZ-5, IAM-9: isolation cases for the API key routes, merged into cases.ts. A names B's
// tenant, users and sessions as key ids, filters and headers; only A's own keys are touched.
// Revoking B's real keys by id is tried in src/modules/access/api-keys.test.ts.
import type { LightMyRequestResponse } from 'fastify'
import { expectStatus, idsOfB } from './case-helpers.ts'
import type { IsolationCase, Party } from './cases.ts'

function expectNoKeysOfB(responses: LightMyRequestResponse[], b: Party): void {
  for (const r of responses) {
    for (const id of idsOfB(b)) {
      if (r.body.includes(id)) throw new Error(`B's id ${id} in ${r.body}`)
    }
  }
}

export const apiKeysCases: Record<string, IsolationCase> = {
  'POST /api/v1/me/api-keys': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: '/api/v1/me/api-keys',
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        payload: { name: 'Into B?', permissions: ['audit.read'], tenantId: b.tenant.id },
      },
      {
        method: 'POST',
        url: `/api/v1/me/api-keys?tenant=${b.tenant.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        payload: { name: 'A’s own key', permissions: ['audit.read'] },
      },
    ],
    verify: (responses, { b }) => {
      // B's tenant id in the body is an unknown field; elsewhere it is ignored: A's own key.
      expectStatus(responses.slice(0, 1), 400, 'REQUEST_INVALID')
      expectStatus(responses.slice(1), 201)
      expectNoKeysOfB(responses, b)
    },
  },
  'GET /api/v1/me/api-keys': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: '/api/v1/me/api-keys',
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
    ],
    verify: (responses, { b }) => {
      expectStatus(responses, 200)
      expectNoKeysOfB(responses, b)
    },
  },
  'DELETE /api/v1/me/api-keys/:id': {
    kind: 'tenant',
    requests: ({ a, b }) =>
      idsOfB(b).map((id) => ({
        method: 'DELETE' as const,
        url: `/api/v1/me/api-keys/${id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      })),
    verify: (responses) => expectStatus(responses, 404, 'ACCESS_API_KEY_NOT_FOUND'),
  },
  'GET /api/v1/api-keys': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: `/api/v1/api-keys?userId=${b.owner.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
      { method: 'GET', url: '/api/v1/api-keys?limit=200', cookies: a.cookie.cookies },
    ],
    verify: (responses, { b }) => {
      expectStatus(responses, 200)
      if (responses[0]?.json().apiKeys.length !== 0) throw new Error('A saw keys of B’s owner')
      expectNoKeysOfB(responses, b)
    },
  },
  'DELETE /api/v1/api-keys/:id': {
    kind: 'tenant',
    requests: ({ a, b }) =>
      idsOfB(b).map((id) => ({
        method: 'DELETE' as const,
        url: `/api/v1/api-keys/${id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      })),
    verify: (responses) => expectStatus(responses, 404, 'ACCESS_API_KEY_NOT_FOUND'),
  },
}
