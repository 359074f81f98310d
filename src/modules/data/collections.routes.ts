// DATA-1: the collections API. Defining, changing, deleting and restoring need data.manage;
// reading needs records.read and, below data.manage, a view grant on the collection (AUTHZ-2).
// docs/data.md describes the model and every rule.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import { principalOf, requestMeta, requireSession } from '../../http/session-auth.ts'
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_FIELDS,
  MAX_LABEL_LENGTH,
  MAX_NAME_LENGTH,
  MAX_OPTIONS,
} from './collections.schema.ts'
import {
  changeCollection,
  createCollection,
  deleteCollection,
  getCollection,
  listCollections,
  listVersions,
  restoreCollection,
} from './collections.service.ts'
import { CLASSIFICATIONS, FIELD_TYPES } from './fields.ts'

const Uuid = Type.String({ format: 'uuid' })
const Time = Type.String({ format: 'date-time' })

// The bounds here are generous; the service applies the exact rules (422 naming the field).
const FieldInput = Type.Object(
  {
    key: Type.String({
      maxLength: 128,
      description: 'Machine name: a lower-case letter, then lower-case letters, digits and _',
    }),
    label: Type.String({ maxLength: MAX_LABEL_LENGTH * 2 }),
    type: Type.String({ maxLength: 32, description: FIELD_TYPES.join(' | ') }),
    classification: Type.String({ maxLength: 32, description: CLASSIFICATIONS.join(' | ') }),
    required: Type.Optional(Type.Boolean()),
    options: Type.Optional(
      Type.Array(Type.String({ maxLength: 400 }), {
        maxItems: MAX_OPTIONS * 2,
        description: `enum only: 1 to ${MAX_OPTIONS} distinct options`,
      }),
    ),
  },
  { additionalProperties: false },
)

const Field = Type.Object({
  key: Type.String(),
  label: Type.String(),
  type: Type.String(),
  classification: Type.String(),
  required: Type.Boolean(),
  options: Type.Optional(Type.Array(Type.String())),
})

const Collection = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  schemaVersion: Type.Integer(),
  fields: Type.Array(Field),
  subjectField: Type.Union([Type.String(), Type.Null()]),
  createdAt: Time,
  updatedAt: Time,
})

const Version = Type.Object({
  version: Type.Integer(),
  fields: Type.Array(Field),
  subjectField: Type.Union([Type.String(), Type.Null()]),
  changedBy: Type.Union([Uuid, Type.Null()]),
  changedAt: Time,
})

const Name = Type.String({
  maxLength: MAX_NAME_LENGTH * 4,
  description: `1 to ${MAX_NAME_LENGTH} characters once trimmed; unique among live collections, ignoring letter case`,
})
const Description = Type.Union(
  [Type.String({ maxLength: MAX_DESCRIPTION_LENGTH * 2 }), Type.Null()],
  { description: `At most ${MAX_DESCRIPTION_LENGTH} characters; null or empty for none` },
)
const Fields = Type.Array(FieldInput, {
  maxItems: MAX_FIELDS * 2,
  description: `1 to ${MAX_FIELDS} fields with distinct keys`,
})
const SubjectField = Type.Union([Type.String({ maxLength: 128 }), Type.Null()], {
  description: 'The key of the personal or sensitive text/email field naming the data subject',
})

const CollectionParams = Type.Object({ collectionId: Uuid })

export const collectionRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  const read = requireSession(ctx, { permission: 'records.read' })
  const manage = requireSession(ctx, { permission: 'data.manage' })
  const tags = ['data']

  app.get(
    '/api/v1/collections',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'The live collections the caller may view (data.manage: all), by name',
        response: {
          200: Type.Object({ collections: Type.Array(Collection) }),
          ...errorResponses(401, 403),
        },
      },
    },
    async (request) => ({ collections: await listCollections(ctx, principalOf(request)) }),
  )

  app.post(
    '/api/v1/collections',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Define a collection: typed, classified fields and an optional data-subject field',
        body: Type.Object(
          {
            name: Name,
            description: Type.Optional(Description),
            fields: Fields,
            subjectField: Type.Optional(SubjectField),
          },
          { additionalProperties: false },
        ),
        response: { 201: Collection, ...errorResponses(400, 401, 403, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const collection = await createCollection(
        ctx,
        principalOf(request),
        request.body,
        requestMeta(request),
      )
      return reply.status(201).send(collection)
    },
  )

  app.get(
    '/api/v1/collections/:collectionId',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'One collection and its current schema',
        params: CollectionParams,
        response: { 200: Collection, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => getCollection(ctx, principalOf(request), request.params.collectionId),
  )

  app.patch(
    '/api/v1/collections/:collectionId',
    {
      preValidation: manage,
      schema: {
        tags,
        summary:
          'Rename, redescribe or change the schema (a new field list with expectedVersion makes a new version)',
        params: CollectionParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            description: Type.Optional(Description),
            fields: Type.Optional(Fields),
            subjectField: Type.Optional(SubjectField),
            expectedVersion: Type.Optional(
              Type.Integer({
                minimum: 1,
                description: 'The schemaVersion the change was made against (needed with fields)',
              }),
            ),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Collection, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request) =>
      changeCollection(
        ctx,
        principalOf(request),
        request.params.collectionId,
        request.body,
        requestMeta(request),
      ),
  )

  app.delete(
    '/api/v1/collections/:collectionId',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Delete a collection: locked (restorable by an admin) until purgeAfter',
        params: CollectionParams,
        response: {
          200: Type.Object({ purgeAfter: Time }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) =>
      deleteCollection(
        ctx,
        principalOf(request),
        request.params.collectionId,
        requestMeta(request),
      ),
  )

  app.get(
    '/api/v1/collections/:collectionId/versions',
    {
      preValidation: read,
      schema: {
        tags,
        summary: "A collection's schema history, newest first",
        params: CollectionParams,
        response: {
          200: Type.Object({ versions: Type.Array(Version) }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({
      versions: await listVersions(ctx, principalOf(request), request.params.collectionId),
    }),
  )

  app.post(
    '/api/v1/collections/:collectionId/restore',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Restore a deleted collection (with its grants) before it is purged',
        params: CollectionParams,
        response: { 200: Collection, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      restoreCollection(
        ctx,
        principalOf(request),
        request.params.collectionId,
        requestMeta(request),
      ),
  )
}
