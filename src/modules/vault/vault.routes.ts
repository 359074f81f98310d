// KMS-3: the credentials vault API for tenant owners and admins. Secrets go in and never come
// out: no response schema has a place for one, so even a slip in the service could not leak it
// (the serializer drops properties a schema does not declare).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses, HttpErrors } from '../../http/errors.ts'
import { DigitString, parseDigits, SingleLineText } from '../../http/schemas.ts'
import { principalOf, requestMeta, requireSession } from '../../http/session-auth.ts'
import {
  CREDENTIAL_KINDS,
  type CredentialKind,
  FIELD_NAME_PATTERN,
  MAX_FIELDS,
  MAX_NAME_LENGTH,
  MAX_VALUE_LENGTH,
} from './vault.kinds.ts'
import {
  createCredential,
  getCredential,
  listCredentialPage,
  removeCredential,
  replaceCredentialSecret,
} from './vault.service.ts'

const Kind = Type.Unsafe<CredentialKind>({
  type: 'string',
  enum: [...CREDENTIAL_KINDS],
  description:
    'api_key: key; basic: username, password; oauth_client: clientId, clientSecret; smtp: host, port, username, password; generic: any 1 to 20 fields',
})

const SecretFields = Type.Record(
  Type.String({ pattern: FIELD_NAME_PATTERN }),
  Type.String({ minLength: 1, maxLength: MAX_VALUE_LENGTH }),
  {
    additionalProperties: false,
    minProperties: 1,
    maxProperties: MAX_FIELDS,
    description: 'Field name to value. Write-only: never returned by any endpoint.',
  },
)

const Credential = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  kind: Kind,
  fields: Type.Array(Type.String(), { description: 'Names of the secret fields, never values' }),
  secretVersion: Type.Integer({ description: '1 when stored, plus one per replacement' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

export const vaultRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  const guard = requireSession(ctx, { permission: 'vault.manage' })

  app.post(
    '/api/v1/credentials',
    {
      preValidation: guard,
      schema: {
        tags: ['vault'],
        summary: 'Store a third-party credential; its secret is write-only',
        body: Type.Object(
          {
            name: SingleLineText({ minLength: 1, maxLength: MAX_NAME_LENGTH }),
            kind: Kind,
            secret: SecretFields,
          },
          { additionalProperties: false },
        ),
        response: { 201: Credential, ...errorResponses(400, 401, 403, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const created = await createCredential(
        ctx,
        principalOf(request),
        request.body,
        requestMeta(request),
      )
      return reply.status(201).send(created)
    },
  )

  app.get(
    '/api/v1/credentials',
    {
      preValidation: guard,
      schema: {
        tags: ['vault'],
        summary: 'Credentials by name, metadata only, with a cursor',
        querystring: Type.Object(
          {
            cursor: Type.Optional(Type.String({ maxLength: 1024 })),
            limit: Type.Optional(DigitString({ description: '1 to 200, default 50' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            credentials: Type.Array(Credential),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const limit = parseDigits(request.query.limit) ?? 50
      if (limit < 1 || limit > 200) throw HttpErrors.REQUEST_INVALID('limit must be from 1 to 200')
      return listCredentialPage(ctx, principalOf(request), request.query.cursor, limit)
    },
  )

  app.get(
    '/api/v1/credentials/:id',
    {
      preValidation: guard,
      schema: {
        tags: ['vault'],
        summary: 'One credential, metadata only',
        params: IdParams,
        response: { 200: Credential, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => getCredential(ctx, principalOf(request), request.params.id),
  )

  app.put(
    '/api/v1/credentials/:id/secret',
    {
      preValidation: guard,
      schema: {
        tags: ['vault'],
        summary: 'Replace the secret (checked against the kind); the old one is gone',
        params: IdParams,
        body: Type.Object({ secret: SecretFields }, { additionalProperties: false }),
        response: { 200: Credential, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request) =>
      replaceCredentialSecret(
        ctx,
        principalOf(request),
        request.params.id,
        request.body.secret,
        requestMeta(request),
      ),
  )

  app.delete(
    '/api/v1/credentials/:id',
    {
      preValidation: guard,
      schema: {
        tags: ['vault'],
        summary: 'Delete a credential and its secret',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await removeCredential(ctx, principalOf(request), request.params.id, requestMeta(request))
      return reply.status(204).send(null)
    },
  )
}
