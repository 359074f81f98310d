// AUTHZ-5: isolation cases for the data routes (collections, records, recently deleted), merged
// into cases.ts. A names B's tenant in headers, queries and bodies and B's ids as collection and
// record ids; every answer is A's own (empty lists, A's new collection) or the same 404 as for an
// id that never existed. src/modules/data/records.tenant-isolation.test.ts aims A at B's real
// collections and records as well.
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import {
  atIdsOfB,
  createsOnlyInA,
  expectNotFoundAtIdsOfB,
  expectStatus,
  listsNothingOfB,
  madeByA,
} from './case-helpers.ts'
import type { IsolationCase, IsolationContext, Party } from './cases.ts'

const FIELDS = [
  { key: 'name', label: 'Name', type: 'text', classification: 'personal' },
  { key: 'city', label: 'City', type: 'text', classification: 'public' },
]

/** A's requests with each of B's ids in the `:collectionId` place (and `rest` after it). */
const atCollectionsOfB = (
  method: InjectOptions['method'],
  rest: (b: Party) => string,
  payload?: object,
) => atIdsOfB('/api/v1/collections', method, rest, payload)

let made = 0

/** A collection of A's own, made through the API. */
const collectionOfA = (ctx: IsolationContext) =>
  madeByA(ctx, '/api/v1/collections', { name: `A's collection ${++made}`, fields: FIELDS })

/** B's ids aimed at A's own collection in the `:recordId` place; all must get 404 `code`. */
async function expectNotFoundInAsCollection(
  ctx: IsolationContext,
  method: InjectOptions['method'],
  rest: string,
  code: string,
  payload?: object,
): Promise<void> {
  const id = await collectionOfA(ctx)
  const urlOf = (idOfB: string) => `/api/v1/collections/${id}/records/${idOfB}${rest}`
  await expectNotFoundAtIdsOfB(ctx, method, urlOf, code, payload)
}

const collectionNotFound = (responses: LightMyRequestResponse[]) =>
  expectStatus(responses, 404, 'DATA_COLLECTION_NOT_FOUND')
const notDeleted = (responses: LightMyRequestResponse[]) =>
  expectStatus(responses, 404, 'DATA_NOT_DELETED')

export const dataCases: Record<string, IsolationCase> = {
  'GET /api/v1/collections': listsNothingOfB('/api/v1/collections', 'collections'),
  'POST /api/v1/collections': createsOnlyInA('/api/v1/collections', 'collections', {
    fields: FIELDS,
  }),
  'GET /api/v1/collections/:collectionId': {
    kind: 'tenant',
    requests: atCollectionsOfB('GET', () => ''),
    verify: collectionNotFound,
  },
  'PATCH /api/v1/collections/:collectionId': {
    kind: 'tenant',
    requests: atCollectionsOfB('PATCH', () => '', { name: 'Renamed by A' }),
    verify: collectionNotFound,
  },
  'DELETE /api/v1/collections/:collectionId': {
    kind: 'tenant',
    requests: atCollectionsOfB('DELETE', () => ''),
    verify: collectionNotFound,
  },
  'GET /api/v1/collections/:collectionId/versions': {
    kind: 'tenant',
    requests: atCollectionsOfB('GET', () => '/versions'),
    verify: collectionNotFound,
  },
  'POST /api/v1/collections/:collectionId/restore': {
    kind: 'tenant',
    requests: atCollectionsOfB('POST', () => '/restore'),
    verify: notDeleted,
  },
  'POST /api/v1/collections/:collectionId/records': {
    kind: 'tenant',
    requests: atCollectionsOfB('POST', () => '/records', { values: { name: 'Into B?' } }),
    verify: collectionNotFound,
  },
  'GET /api/v1/collections/:collectionId/records': {
    kind: 'tenant',
    requests: atCollectionsOfB('GET', (b) => `/records?filter=city:eq:${b.tenant.id}`),
    verify: collectionNotFound,
  },
  'GET /api/v1/collections/:collectionId/records/:recordId': {
    kind: 'tenant',
    requests: atCollectionsOfB('GET', (b) => `/records/${b.owner.id}`),
    verify: async (responses, ctx) => {
      collectionNotFound(responses)
      await expectNotFoundInAsCollection(ctx, 'GET', '', 'DATA_RECORD_NOT_FOUND')
    },
  },
  'PATCH /api/v1/collections/:collectionId/records/:recordId': {
    kind: 'tenant',
    requests: atCollectionsOfB('PATCH', (b) => `/records/${b.owner.id}`, {
      values: { city: 'Changed by A' },
    }),
    verify: async (responses, ctx) => {
      collectionNotFound(responses)
      await expectNotFoundInAsCollection(ctx, 'PATCH', '', 'DATA_RECORD_NOT_FOUND', {
        values: { city: 'Changed by A' },
      })
    },
  },
  'DELETE /api/v1/collections/:collectionId/records/:recordId': {
    kind: 'tenant',
    requests: atCollectionsOfB('DELETE', (b) => `/records/${b.owner.id}`),
    verify: async (responses, ctx) => {
      collectionNotFound(responses)
      await expectNotFoundInAsCollection(ctx, 'DELETE', '', 'DATA_RECORD_NOT_FOUND')
    },
  },
  'POST /api/v1/collections/:collectionId/records/:recordId/restore': {
    kind: 'tenant',
    requests: atCollectionsOfB('POST', (b) => `/records/${b.owner.id}/restore`),
    verify: async (responses, ctx) => {
      notDeleted(responses)
      await expectNotFoundInAsCollection(ctx, 'POST', '/restore', 'DATA_NOT_DELETED')
    },
  },
  'GET /api/v1/recently-deleted': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: `/api/v1/recently-deleted?tenant=${b.tenant.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
      { method: 'GET', url: '/api/v1/recently-deleted', cookies: a.cookie.cookies },
    ],
    verify: (responses) => {
      // An unknown query parameter is refused; the plain request lists nothing (A deleted nothing).
      expectStatus(responses.slice(0, 1), 400, 'REQUEST_INVALID')
      expectStatus(responses.slice(1), 200)
      if (responses[1]?.json().items.length !== 0) throw new Error('A saw deleted items')
    },
  },
}
