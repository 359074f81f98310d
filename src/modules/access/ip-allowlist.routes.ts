// IAM-8: the organisation's IP allowlist, for owners and admins; replacing it needs a recent
// authentication (IAM-6).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import { principalOf, requestMeta, requireSession } from '../../http/session-auth.ts'
import { sensitiveChangeGuards } from '../identity/step-up.guard.ts'
import {
  getAllowlist,
  MAX_ALLOWLIST_ENTRIES,
  MAX_LABEL_LENGTH,
  replaceAllowlist,
} from './ip-allowlist.service.ts'

const Entry = Type.Object({
  id: Type.String({ format: 'uuid' }),
  cidr: Type.String({ description: 'Normalised: network address and prefix' }),
  label: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
})

const Reply = Type.Object({
  entries: Type.Array(Entry, { description: 'Empty: every address is allowed' }),
})

const EntryInput = Type.Object(
  {
    cidr: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'IPv4 or IPv6 CIDR range; an address alone means /32 or /128',
    }),
    label: Type.Optional(Type.String({ maxLength: MAX_LABEL_LENGTH * 2 })),
  },
  { additionalProperties: false },
)

export const ipAllowlistRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  app.get(
    '/api/v1/tenant/ip-allowlist',
    {
      preValidation: requireSession(ctx, { permission: 'tenant.security.manage' }),
      schema: {
        tags: ['access'],
        summary: "The organisation's IP allowlist (owners and admins)",
        response: { 200: Reply, ...errorResponses(401, 403) },
      },
    },
    async (request) => getAllowlist(ctx, principalOf(request)),
  )

  app.put(
    '/api/v1/tenant/ip-allowlist',
    {
      preValidation: sensitiveChangeGuards(ctx, { permission: 'tenant.security.manage' }),
      schema: {
        tags: ['access'],
        summary:
          'Replace the IP allowlist as a whole; an empty list lifts the restriction. Refused when it would exclude your own address',
        body: Type.Object(
          { entries: Type.Array(EntryInput, { maxItems: MAX_ALLOWLIST_ENTRIES }) },
          { additionalProperties: false },
        ),
        response: { 200: Reply, ...errorResponses(400, 401, 403, 409, 413, 415, 422) },
      },
    },
    async (request) =>
      replaceAllowlist(ctx, principalOf(request), request.body.entries, requestMeta(request)),
  )
}
