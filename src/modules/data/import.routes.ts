// DATA-1: POST /api/v1/collections/:collectionId/import. The body is never parsed or buffered by
// the framework: this plugin's only content-type parser hands the raw request stream to the
// import service, which reads it row by row and enforces config.data.importMaxBytes on the bytes
// as they arrive (the route's bodyLimit does not apply to a stream). docs/data-import.md.
import type { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import { principalOf, requestMeta, requireSession } from '../../http/session-auth.ts'
import { ImportErrors } from './import.errors.ts'
import { MAX_REPORTED_ISSUES } from './import.report.ts'
import type { ImportFormat } from './import.rows.ts'
import { importForPrincipal } from './import.service.ts'

const MEDIA_TYPES: Record<string, ImportFormat> = {
  'text/csv': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/json': 'json',
}

/** The import format a Content-Type names; UTF-8 only (a charset, if given, must say so). */
export function importFormatOf(contentType: string | undefined): ImportFormat {
  const [mediaType = '', ...parameters] = (contentType ?? '').split(';')
  const format = MEDIA_TYPES[mediaType.trim().toLowerCase()]
  const charset = parameters
    .map((p) => p.trim().toLowerCase())
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replaceAll('"', '')
  if (!format || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw ImportErrors.DATA_IMPORT_FORMAT_UNSUPPORTED()
  }
  return format
}

const Issue = Type.Object({
  row: Type.Integer({
    description: 'CSV data row (header = 0), NDJSON line, JSON element; from 1',
  }),
  field: Type.Union([Type.String(), Type.Null()], {
    description: 'The field at fault; null for the row as a whole',
  }),
  code: Type.String(),
  message: Type.String(),
})

export const ImportReportSchema = Type.Object({
  format: Type.Union([Type.Literal('csv'), Type.Literal('json'), Type.Literal('ndjson')]),
  atomic: Type.Boolean(),
  received: Type.Integer({ description: 'Data rows read' }),
  imported: Type.Integer({ description: 'Rows committed' }),
  rejected: Type.Integer({ description: 'Rows refused for their values, never committed' }),
  batches: Type.Integer({ description: 'Transactions committed' }),
  settledThroughRow: Type.Integer({
    description: 'Every row up to this one was committed or rejected; none after it was committed',
  }),
  issues: Type.Array(Issue, { description: `The first ${MAX_REPORTED_ISSUES} problems` }),
  issuesTruncated: Type.Boolean(),
})

const EMPTY_BODY: AsyncIterable<Buffer> = {
  async *[Symbol.asyncIterator]() {},
}

export const importRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  // Encapsulated: only this plugin's route takes its body as a stream.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload))

  app.post(
    '/api/v1/collections/:collectionId/import',
    {
      preValidation: requireSession(ctx, { permission: 'records.import' }),
      schema: {
        tags: ['data'],
        summary:
          'Import records from CSV, NDJSON or a JSON array, streamed, in batches; rejected rows are reported',
        params: Type.Object({ collectionId: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object(
          {
            atomic: Type.Optional(
              Type.Union([Type.Literal('true'), Type.Literal('false')], {
                description:
                  'true: the whole file in one transaction, nothing committed if any row is rejected',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: ImportReportSchema,
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const stream = request.body as Readable | undefined
      try {
        const format = importFormatOf(request.headers['content-type'])
        const declared = Number(request.headers['content-length'])
        return await importForPrincipal(
          ctx,
          principalOf(request),
          request.params.collectionId,
          stream ?? EMPTY_BODY,
          {
            format,
            atomic: request.query.atomic === 'true',
            maxBytes: ctx.config.data.importMaxBytes,
            declaredBytes: Number.isFinite(declared) ? declared : undefined,
          },
          requestMeta(request),
        )
      } catch (err) {
        // Stopped before the end of the body: the client may still be sending, so the
        // connection closes once the answer is out, as Fastify does for its own 413.
        if (stream && !stream.readableEnded) reply.header('connection', 'close')
        throw err
      }
    },
  )
}
