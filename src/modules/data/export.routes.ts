// DATA-1, DATA-3: GET /api/v1/collections/:collectionId/export, streamed as a download. The
// answer holds decrypted personal values, so it is never cached. docs/data-import.md.
import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import { principalOf, requestMeta, requireSession } from '../../http/session-auth.ts'
import { EXPORT_MEDIA_TYPES } from './export.formats.ts'
import { exportForPrincipal } from './export.service.ts'

export const exportRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  app.get(
    '/api/v1/collections/:collectionId/export',
    {
      // A HEAD would decrypt the first page and record an export that sends nothing.
      exposeHeadRoute: false,
      preValidation: requireSession(ctx, { permission: 'records.export' }),
      schema: {
        tags: ['data'],
        summary: 'Export the live records of a collection as CSV, JSON or NDJSON, streamed',
        params: Type.Object({ collectionId: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object(
          {
            format: Type.Optional(
              Type.Union([Type.Literal('csv'), Type.Literal('json'), Type.Literal('ndjson')], {
                description: 'csv (default), json or ndjson',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Unsafe<Readable>({
            type: 'string',
            description: 'The records, values by field key, streamed',
          }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const format = request.query.format ?? 'csv'
      const { collection, chunks } = await exportForPrincipal(
        ctx,
        principalOf(request),
        request.params.collectionId,
        format,
        requestMeta(request),
      )
      const stamp = new Date()
        .toISOString()
        .replaceAll(':', '-')
        .replace(/\.\d+Z$/, 'Z')
      reply
        .type(EXPORT_MEDIA_TYPES[format])
        .header('cache-control', 'no-store')
        // Named by id and time only: a collection's name is not fit for a header.
        .header(
          'content-disposition',
          `attachment; filename="collection-${collection.id}-${stamp}.${format}"`,
        )
      return reply.send(Readable.from(chunks))
    },
  )
}
