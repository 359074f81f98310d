// AUTHZ-5: isolation cases for record import and export, merged into cases.ts. A aims its
// imports and exports at B's ids in the `:collectionId` place, with B's tenant in headers and
// queries, and names B's tenant in an import's columns and values: every answer is the 404 of an
// id that never existed, a refusal, or A's own collection; B's rows stay exactly as they were.
import type { InjectOptions } from 'fastify'
import { expectStatus, idsOfB, madeByA } from './case-helpers.ts'
import type { IsolationCase, IsolationContext, Party } from './cases.ts'

let made = 0

/** A collection of A's own, made through the API. */
const collectionOfA = (ctx: IsolationContext) =>
  madeByA(ctx, '/api/v1/collections', {
    name: `A's import target ${++made}`,
    fields: [{ key: 'name', label: 'Name', type: 'text', classification: 'personal' }],
  })

const importAt = (a: Party, b: Party, id: string, body: string): InjectOptions => ({
  method: 'POST',
  url: `/api/v1/collections/${id}/import`,
  headers: { ...a.bearer.authorization, 'content-type': 'text/csv', 'x-tenant-id': b.tenant.id },
  payload: body,
})

export const dataImportCases: Record<string, IsolationCase> = {
  'POST /api/v1/collections/:collectionId/import': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      ...idsOfB(b).map((id) => importAt(a, b, id, 'name\r\nInto B?\r\n')),
      {
        method: 'POST',
        url: `/api/v1/collections/${b.tenant.id}/import?atomic=true`,
        cookies: a.cookie.cookies,
        headers: { 'x-csrf-token': a.cookie.csrf, 'content-type': 'application/x-ndjson' },
        payload: `{"name": "Into B by cookie?", "tenant_id": "${b.tenant.id}"}\n`,
      },
    ],
    verify: async (responses, ctx) => {
      expectStatus(responses, 404, 'DATA_COLLECTION_NOT_FOUND')
      // Into A's own collection, B's tenant named in a header, a column and a value: only A's
      // collection changes, and a tenant column is no field.
      const id = await collectionOfA(ctx)
      const own = await ctx.app.inject(importAt(ctx.a, ctx.b, id, `name\r\n${ctx.b.tenant.id}\r\n`))
      expectStatus([own], 200)
      if (own.json().imported !== 1) throw new Error(`not imported into A: ${own.body}`)
      const column = await ctx.app.inject(
        importAt(ctx.a, ctx.b, id, `name,tenant_id\r\nx,${ctx.b.tenant.id}\r\n`),
      )
      expectStatus([column], 422, 'DATA_IMPORT_FILE_INVALID')
    },
  },
  'GET /api/v1/collections/:collectionId/export': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      ...idsOfB(b).map((id) => ({
        method: 'GET' as const,
        url: `/api/v1/collections/${id}/export?format=json`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      })),
      {
        method: 'GET',
        url: `/api/v1/collections/${b.owner.id}/export`,
        cookies: a.cookie.cookies,
      },
    ],
    verify: async (responses, ctx) => {
      expectStatus(responses, 404, 'DATA_COLLECTION_NOT_FOUND')
      // A's own collection, B's tenant in a header: A's records only (none).
      const id = await collectionOfA(ctx)
      const own = await ctx.app.inject({
        method: 'GET',
        url: `/api/v1/collections/${id}/export?format=json`,
        headers: { ...ctx.a.bearer.authorization, 'x-tenant-id': ctx.b.tenant.id },
      })
      expectStatus([own], 200)
      if (JSON.stringify(own.json()) !== '[]') throw new Error(`A exported rows: ${own.body}`)
      const tenantQuery = await ctx.app.inject({
        method: 'GET',
        url: `/api/v1/collections/${id}/export?tenant=${ctx.b.tenant.id}`,
        headers: ctx.a.bearer.authorization,
      })
      expectStatus([tenantQuery], 400, 'REQUEST_INVALID')
    },
  },
}
