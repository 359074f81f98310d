// DATA-4: the "recently deleted" view (data.manage): locked collections and records, newest
// first, each with the time it will be purged for good.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses, HttpErrors } from '../../http/errors.ts'
import { DigitString, parseDigits } from '../../http/schemas.ts'
import { principalOf, requireSession } from '../../http/session-auth.ts'
import { listRecentlyDeleted } from './recently-deleted.service.ts'

const Uuid = Type.String({ format: 'uuid' })
const Time = Type.String({ format: 'date-time' })
const MAX_PAGE = 200

const DeletedItem = Type.Object({
  type: Type.Union([Type.Literal('collection'), Type.Literal('record')]),
  id: Uuid,
  collectionId: Uuid,
  collectionName: Type.String(),
  collectionDeleted: Type.Boolean({
    description: 'A record of a deleted collection is restored with (after) its collection',
  }),
  deletedAt: Time,
  deletedBy: Type.Union([Uuid, Type.Null()]),
  purgeAfter: Time,
})

export const recentlyDeletedRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  app.get(
    '/api/v1/recently-deleted',
    {
      preValidation: requireSession(ctx, { permission: 'data.manage' }),
      schema: {
        tags: ['data'],
        summary: 'Deleted collections and records still restorable, newest first',
        querystring: Type.Object(
          {
            cursor: Type.Optional(Type.String({ maxLength: 256 })),
            limit: Type.Optional(DigitString({ description: `1 to ${MAX_PAGE}, default 50` })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(DeletedItem),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const limit = parseDigits(request.query.limit) ?? 50
      if (limit < 1 || limit > MAX_PAGE) {
        throw HttpErrors.REQUEST_INVALID(`limit must be from 1 to ${MAX_PAGE}`)
      }
      return listRecentlyDeleted(ctx, principalOf(request), request.query.cursor, limit)
    },
  )
}
