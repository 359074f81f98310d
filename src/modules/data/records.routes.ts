// DATA-1: the records API. Reading needs records.read, writing records.write; below data.manage
// the collection must also be granted (view to read, edit to write), else 404 (AUTHZ-2).
// Restoring a deleted record needs data.manage. docs/data.md describes filters and cursors.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses, HttpErrors } from '../../http/errors.ts'
import { DigitString, parseDigits } from '../../http/schemas.ts'
import { principalOf, requestMeta, requireSession } from '../../http/session-auth.ts'
import { MAX_FILTER_LENGTH, MAX_FILTERS } from './records.query.ts'
import {
  changeRecord,
  createRecord,
  DEFAULT_PAGE,
  deleteRecord,
  getRecord,
  listRecords,
  MAX_PAGE,
  restoreRecord,
} from './records.service.ts'

const Uuid = Type.String({ format: 'uuid' })
const Time = Type.String({ format: 'date-time' })

const Value = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])

const DataRecord = Type.Object({
  id: Uuid,
  collectionId: Uuid,
  revision: Type.Integer(),
  values: Type.Record(Type.String(), Value, {
    description: 'Every field of the current schema by key; null when the record has no value',
  }),
  createdBy: Type.Union([Uuid, Type.Null()]),
  createdAt: Time,
  updatedBy: Type.Union([Uuid, Type.Null()]),
  updatedAt: Time,
})

// Values are checked against the collection's schema by the service, so a wrong one gets a 422
// naming its field rather than a schema error.
const Values = Type.Record(Type.String({ maxLength: 256 }), Type.Unknown(), {
  maxProperties: 200,
  description: 'Field values by key',
})

const CollectionParams = Type.Object({ collectionId: Uuid })
const RecordParams = Type.Object({ collectionId: Uuid, recordId: Uuid })

const FilterText = Type.String({ maxLength: MAX_FILTER_LENGTH })

export const recordRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  const read = requireSession(ctx, { permission: 'records.read' })
  const write = requireSession(ctx, { permission: 'records.write' })
  const manage = requireSession(ctx, { permission: 'data.manage' })
  const tags = ['data']

  app.post(
    '/api/v1/collections/:collectionId/records',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Create a record (edit access to the collection)',
        params: CollectionParams,
        body: Type.Object({ values: Values }, { additionalProperties: false }),
        response: { 201: DataRecord, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const record = await createRecord(
        ctx,
        principalOf(request),
        request.params.collectionId,
        request.body.values,
        requestMeta(request),
      )
      return reply.status(201).send(record)
    },
  )

  app.get(
    '/api/v1/collections/:collectionId/records',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Records of a collection: filters, sort and cursor pagination',
        params: CollectionParams,
        querystring: Type.Object(
          {
            filter: Type.Optional(
              Type.Union([FilterText, Type.Array(FilterText, { maxItems: MAX_FILTERS })], {
                description:
                  'Repeatable field:op:value; op is eq, ne, lt, lte, gt, gte, contains, in (a,b,\\,c), exists, missing',
              }),
            ),
            sort: Type.Optional(
              Type.String({
                maxLength: 128,
                description: 'field, -field, createdAt, updatedAt (default -createdAt)',
              }),
            ),
            limit: Type.Optional(
              DigitString({ description: `1 to ${MAX_PAGE}, default ${DEFAULT_PAGE}` }),
            ),
            cursor: Type.Optional(Type.String({ maxLength: 16_000 })),
            subject: Type.Optional(
              Type.String({
                maxLength: 10_000,
                description: "The data subject's value: finds their records by blind index",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            records: Type.Array(DataRecord),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (request) => {
      const { filter, sort, cursor, subject } = request.query
      const limit = parseDigits(request.query.limit)
      if (limit !== undefined && (limit < 1 || limit > MAX_PAGE)) {
        throw HttpErrors.REQUEST_INVALID(`limit must be from 1 to ${MAX_PAGE}`)
      }
      return listRecords(
        ctx,
        principalOf(request),
        request.params.collectionId,
        {
          filter: filter === undefined ? undefined : [filter].flat(),
          sort,
          limit,
          cursor,
          subject,
        },
        requestMeta(request),
      )
    },
  )

  app.get(
    '/api/v1/collections/:collectionId/records/:recordId',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'One record',
        params: RecordParams,
        response: { 200: DataRecord, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      getRecord(
        ctx,
        principalOf(request),
        request.params.collectionId,
        request.params.recordId,
        requestMeta(request),
      ),
  )

  app.patch(
    '/api/v1/collections/:collectionId/records/:recordId',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Change some values of a record (null clears an optional field)',
        params: RecordParams,
        body: Type.Object(
          {
            values: Values,
            expectedRevision: Type.Optional(
              Type.Integer({ minimum: 1, description: 'Refuse (409) if the record moved on' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: DataRecord, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request) =>
      changeRecord(
        ctx,
        principalOf(request),
        request.params.collectionId,
        request.params.recordId,
        request.body,
        requestMeta(request),
      ),
  )

  app.delete(
    '/api/v1/collections/:collectionId/records/:recordId',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Delete a record: locked (restorable by an admin) until purgeAfter',
        params: RecordParams,
        response: {
          200: Type.Object({ purgeAfter: Time }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) =>
      deleteRecord(
        ctx,
        principalOf(request),
        request.params.collectionId,
        request.params.recordId,
        requestMeta(request),
      ),
  )

  app.post(
    '/api/v1/collections/:collectionId/records/:recordId/restore',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Restore a deleted record before it is purged',
        params: RecordParams,
        response: { 200: DataRecord, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      restoreRecord(
        ctx,
        principalOf(request),
        request.params.collectionId,
        request.params.recordId,
        requestMeta(request),
      ),
  )
}
