// AUTHZ-5: isolation cases for the dashboard routes, merged into cases.ts. A names B's tenant in
// headers, queries and bodies and B's ids as dashboard and collection ids; every answer is A's own
// (an empty list) or the same 404 or 422 as for an id that never existed.
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { atIdsOfB, expectStatus, idsOfB, listsNothingOfB } from './case-helpers.ts'
import type { IsolationCase } from './cases.ts'

/** A's requests at each of B's ids in the `:dashboardId` place. */
const atDashboardsOfB = (method: InjectOptions['method'], rest = '', payload?: object) =>
  atIdsOfB('/api/v1/dashboards', method, () => rest, payload)

const notFound = (responses: LightMyRequestResponse[]) =>
  expectStatus(responses, 404, 'DATA_DASHBOARD_NOT_FOUND')

/** A widget of A's aimed at one of B's ids as its collection. */
const widgetAt = (collectionId: string) => ({
  title: 'Into B?',
  collectionId,
  aggregate: 'count',
})

export const dashboardsCases: Record<string, IsolationCase> = {
  'POST /api/v1/dashboards': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      ...idsOfB(b).map((id) => ({
        method: 'POST' as const,
        url: '/api/v1/dashboards',
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        payload: { name: 'Into B?', widgets: [widgetAt(id)] },
      })),
      {
        method: 'POST',
        url: `/api/v1/dashboards?tenant=${b.tenant.id}`,
        headers: a.bearer.authorization,
        payload: { name: 'Into B?', widgets: [], tenantId: b.tenant.id },
      },
    ],
    verify: (responses) => {
      expectStatus(responses.slice(0, 3), 422, 'DATA_WIDGET_COLLECTION_NOT_FOUND')
      expectStatus(responses.slice(3), 400, 'REQUEST_INVALID')
    },
  },
  'GET /api/v1/dashboards': listsNothingOfB('/api/v1/dashboards', 'dashboards'),
  'GET /api/v1/dashboards/:dashboardId': {
    kind: 'tenant',
    requests: atDashboardsOfB('GET'),
    verify: notFound,
  },
  'PUT /api/v1/dashboards/:dashboardId': {
    kind: 'tenant',
    requests: atDashboardsOfB('PUT', '', { name: 'Changed by A', widgets: [] }),
    verify: notFound,
  },
  'DELETE /api/v1/dashboards/:dashboardId': {
    kind: 'tenant',
    requests: atDashboardsOfB('DELETE'),
    verify: notFound,
  },
  'GET /api/v1/dashboards/:dashboardId/access': {
    kind: 'tenant',
    requests: atDashboardsOfB('GET', '/access'),
    verify: notFound,
  },
  'GET /api/v1/dashboards/:dashboardId/data': {
    kind: 'tenant',
    requests: atDashboardsOfB('GET', '/data'),
    verify: notFound,
  },
}
