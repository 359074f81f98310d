// IAM-9: API keys. People make and revoke their own keys from a session (making one needs a
// recent authentication); holders of api_keys.manage list and revoke everyone's.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses, HttpErrors } from '../../http/errors.ts'
import { DigitString, parseDigits } from '../../http/schemas.ts'
import {
  principalOf,
  requestMeta,
  requireSession,
  sessionPrincipalOf,
} from '../../http/session-auth.ts'
import { sensitiveChangeGuards } from '../identity/step-up.guard.ts'
import {
  createApiKey,
  DEFAULT_EXPIRY_DAYS,
  listMyApiKeys,
  listTenantApiKeys,
  MAX_EXPIRY_DAYS,
  MAX_KEY_NAME_LENGTH,
  MAX_LIST_LIMIT,
  revokeKey,
} from './api-keys.service.ts'

const ApiKey = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  prefix: Type.String({ description: '`rk_` and the next 8 characters of the key' }),
  userId: Type.String({ format: 'uuid', description: 'The user the key acts for' }),
  permissions: Type.Array(Type.String(), { description: 'The scope' }),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'Accurate to a minute',
  }),
  lastUsedIp: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
})

const KeyList = Type.Object({ apiKeys: Type.Array(ApiKey) })
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
const Limit = Type.Optional(DigitString({ description: `1 to ${MAX_LIST_LIMIT}, default 50` }))

function limitOf(value: string | undefined): number {
  const limit = parseDigits(value) ?? 50
  if (limit < 1 || limit > MAX_LIST_LIMIT) {
    throw HttpErrors.REQUEST_INVALID(`limit must be from 1 to ${MAX_LIST_LIMIT}`)
  }
  return limit
}

export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  const own = requireSession(ctx)
  const manage = requireSession(ctx, { permission: 'api_keys.manage' })

  app.post(
    '/api/v1/me/api-keys',
    {
      preValidation: sensitiveChangeGuards(ctx, { permission: 'api_keys.create' }),
      schema: {
        tags: ['api keys'],
        summary: 'Create an API key; the key is in this response only',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: MAX_KEY_NAME_LENGTH * 2 }),
            permissions: Type.Array(Type.String({ maxLength: 64 }), {
              minItems: 1,
              maxItems: 64,
              description: 'The scope: permissions you hold yourself',
            }),
            expiresInDays: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: MAX_EXPIRY_DAYS,
                description: `Default ${DEFAULT_EXPIRY_DAYS}`,
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            apiKey: ApiKey,
            key: Type.String({ description: 'Shown once; send as `Authorization: Bearer <key>`' }),
          }),
          ...errorResponses(400, 401, 403, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const created = await createApiKey(
        ctx,
        sessionPrincipalOf(request),
        request.body,
        requestMeta(request),
      )
      return reply.status(201).header('cache-control', 'no-store').send(created)
    },
  )

  app.get(
    '/api/v1/me/api-keys',
    {
      preValidation: own,
      schema: {
        tags: ['api keys'],
        summary: 'My API keys, newest first, revoked and expired ones included',
        querystring: Type.Object({ limit: Limit }, { additionalProperties: false }),
        response: { 200: KeyList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ({
      apiKeys: await listMyApiKeys(ctx, sessionPrincipalOf(request), limitOf(request.query.limit)),
    }),
  )

  app.delete(
    '/api/v1/me/api-keys/:id',
    {
      preValidation: own,
      schema: {
        tags: ['api keys'],
        summary: 'Revoke one of my API keys; it is refused from the next request on',
        params: IdParams,
        response: { 200: ApiKey, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      revokeKey(ctx, sessionPrincipalOf(request), request.params.id, 'own', requestMeta(request)),
  )

  app.get(
    '/api/v1/api-keys',
    {
      preValidation: manage,
      schema: {
        tags: ['api keys'],
        summary: "Everyone's API keys, newest first",
        querystring: Type.Object(
          { userId: Type.Optional(Type.String({ format: 'uuid' })), limit: Limit },
          { additionalProperties: false },
        ),
        response: { 200: KeyList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ({
      apiKeys: await listTenantApiKeys(
        ctx,
        principalOf(request),
        { userId: request.query.userId },
        limitOf(request.query.limit),
      ),
    }),
  )

  app.delete(
    '/api/v1/api-keys/:id',
    {
      preValidation: manage,
      schema: {
        tags: ['api keys'],
        summary: "Revoke anyone's API key",
        params: IdParams,
        response: { 200: ApiKey, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      revokeKey(ctx, principalOf(request), request.params.id, 'any', requestMeta(request)),
  )
}
