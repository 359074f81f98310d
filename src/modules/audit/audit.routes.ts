// LOG-4: the audit log API for tenant owners, admins and auditors.
import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses, HttpErrors } from '../../http/errors.ts'
import { DigitString, parseDigits } from '../../http/schemas.ts'
import { principalOf, requestMeta, requireSession } from '../../http/session-auth.ts'
import type { EntryFilter } from './audit.repository.ts'
import {
  decodeCursor,
  entryInclusionProof,
  exportEvents,
  type ListedEvent,
  latestSignedCheckpoint,
  listEvents,
  treeConsistencyProof,
} from './audit-read.service.ts'

const Code = { pattern: '^[a-z][a-z0-9_.-]{0,63}$', maxLength: 64 }
const Filters = {
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  actor: Type.Optional(Type.String({ format: 'uuid' })),
  action: Type.Optional(Type.String(Code)),
  target: Type.Optional(Type.String({ format: 'uuid' })),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure')])),
}

const Event = Type.Object({
  index: Type.Integer({ description: 'Leaf index in the Merkle tree' }),
  time: Type.String({ format: 'date-time' }),
  category: Type.String(),
  action: Type.String(),
  outcome: Type.String(),
  reason: Type.Optional(Type.String()),
  actor: Type.Object({ type: Type.String(), id: Type.Optional(Type.String()) }),
  source: Type.Optional(Type.Object({ ip: Type.String() })),
  target: Type.Optional(Type.Object({ type: Type.String(), id: Type.Optional(Type.String()) })),
  parent: Type.Optional(Type.Object({ type: Type.String(), id: Type.Optional(Type.String()) })),
  requestId: Type.Optional(Type.String()),
  fields: Type.Optional(Type.Array(Type.String())),
})

const Checkpoint = Type.Object({
  log: Type.String(),
  size: Type.Integer(),
  root: Type.String({ description: 'Root hash, hex' }),
  time: Type.String({ format: 'date-time' }),
  keyId: Type.String(),
  signature: Type.String({ description: 'Ed25519 over the checkpoint text, base64' }),
})

function filterOf(q: {
  from?: string
  to?: string
  actor?: string
  action?: string
  target?: string
  outcome?: 'success' | 'failure'
  cursor?: string
}): EntryFilter {
  return {
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
    actor: q.actor,
    action: q.action,
    target: q.target,
    outcome: q.outcome,
    before: q.cursor ? decodeCursor(q.cursor) : undefined,
  }
}

function csvCell(value: unknown): string {
  const text = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value)
  // Quote everything; neutralise spreadsheet formulas (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
  return `"${safe.replaceAll('"', '""')}"`
}

const CSV_COLUMNS = [
  'index',
  'time',
  'category',
  'action',
  'outcome',
  'reason',
  'actor',
  'source',
  'target',
  'parent',
  'requestId',
  'fields',
]

async function* asCsv(events: AsyncGenerator<ListedEvent>): AsyncGenerator<string> {
  yield `${CSV_COLUMNS.join(',')}\n`
  for await (const e of events) {
    const row = e as unknown as Record<string, unknown>
    yield `${CSV_COLUMNS.map((c) => csvCell(row[c])).join(',')}\n`
  }
}

async function* asJsonLines(events: AsyncGenerator<ListedEvent>): AsyncGenerator<string> {
  for await (const e of events) yield `${JSON.stringify(e)}\n`
}

export const auditRoutes: FastifyPluginAsyncTypebox<{
  ctx: ServiceContext
  /** The checkpoint key's public half, SPKI DER base64. */
  publicKey: string
}> = async (app, { ctx, publicKey }) => {
  const guard = requireSession(ctx, { permission: 'audit.read' })

  app.get(
    '/api/v1/audit/events',
    {
      preValidation: guard,
      schema: {
        tags: ['audit'],
        summary: 'Audit events, newest first, with filters and a cursor',
        querystring: Type.Object(
          {
            ...Filters,
            cursor: Type.Optional(Type.String({ maxLength: 64 })),
            limit: Type.Optional(DigitString({ description: '1 to 500, default 100' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            events: Type.Array(Event),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const limit = parseDigits(request.query.limit) ?? 100
      if (limit < 1 || limit > 500) throw HttpErrors.REQUEST_INVALID('limit must be from 1 to 500')
      return listEvents(ctx, principalOf(request), filterOf(request.query), limit)
    },
  )

  app.get(
    '/api/v1/audit/export',
    {
      preValidation: guard,
      schema: {
        tags: ['audit'],
        summary: 'Export audit events as JSON lines or CSV, streamed',
        querystring: Type.Object(
          {
            ...Filters,
            format: Type.Optional(Type.Union([Type.Literal('jsonl'), Type.Literal('csv')])),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Unsafe<Readable>({
            type: 'string',
            description: 'JSON lines or CSV, streamed',
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const events = exportEvents(
        ctx,
        principalOf(request),
        filterOf(request.query),
        requestMeta(request),
      )
      // Pull the first page before answering, so permission and filter errors still get a 4xx
      // and the export is recorded before any of it leaves.
      const first = await events.next()
      async function* all(): AsyncGenerator<ListedEvent> {
        if (!first.done) yield first.value
        yield* events
      }
      const csv = request.query.format === 'csv'
      const stamp = new Date().toISOString().replaceAll(':', '-')
      reply
        .type(csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
        .header(
          'content-disposition',
          `attachment; filename="audit-${stamp}.${csv ? 'csv' : 'jsonl'}"`,
        )
      return reply.send(Readable.from(csv ? asCsv(all()) : asJsonLines(all())))
    },
  )

  app.get(
    '/api/v1/audit/checkpoint',
    {
      preValidation: guard,
      schema: {
        tags: ['audit'],
        summary: 'The latest signed checkpoint of this organisation’s log, with the public key',
        response: {
          200: Type.Object({
            checkpoint: Checkpoint,
            publicKey: Type.String({ description: 'Ed25519 SPKI DER, base64' }),
          }),
          ...errorResponses(401, 403, 404),
        },
      },
    },
    async (request) => latestSignedCheckpoint(ctx, principalOf(request), publicKey),
  )

  app.get(
    '/api/v1/audit/events/:index/proof',
    {
      preValidation: guard,
      schema: {
        tags: ['audit'],
        summary: 'Inclusion proof of one entry in a signed checkpoint (the latest by default)',
        params: Type.Object({ index: DigitString() }),
        querystring: Type.Object(
          { size: Type.Optional(DigitString()) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            index: Type.Integer(),
            leafHash: Type.String(),
            event: Type.String({
              description: 'The canonical event text; SHA-256(0x00 || event) = leafHash',
            }),
            proof: Type.Array(Type.String()),
            checkpoint: Checkpoint,
          }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) =>
      entryInclusionProof(
        ctx,
        principalOf(request),
        parseDigits(request.params.index),
        parseDigits(request.query.size),
      ),
  )

  app.get(
    '/api/v1/audit/consistency',
    {
      preValidation: guard,
      schema: {
        tags: ['audit'],
        summary: 'Consistency proof between two signed tree sizes',
        querystring: Type.Object(
          { first: DigitString(), second: DigitString() },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            first: Checkpoint,
            second: Checkpoint,
            proof: Type.Array(Type.String()),
          }),
          ...errorResponses(400, 401, 403, 404, 422),
        },
      },
    },
    async (request) =>
      treeConsistencyProof(
        ctx,
        principalOf(request),
        parseDigits(request.query.first),
        parseDigits(request.query.second),
      ),
  )
}
