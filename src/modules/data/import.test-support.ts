// DATA-1 test support for imports and exports: bodies in each format, the import request, and
// the collection's stored rows as the owner connection sees them.
import { Readable } from 'node:stream'
import type { LightMyRequestResponse } from 'fastify'
import type { SignedIn, TestApp } from '../../../test/support/app.ts'
import type { RecordRow } from './records.table.ts'

export const CONTENT_TYPES = {
  csv: 'text/csv',
  ndjson: 'application/x-ndjson',
  json: 'application/json',
} as const

/** A CSV cell, quoted when it must be (RFC 4180). */
function cell(value: string | number | boolean | undefined): string {
  if (value === undefined) return ''
  const text = String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function csvOf(header: string[], rows: (string | number | boolean | undefined)[][]): string {
  return [header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\r\n').concat('\r\n')
}

export function ndjsonOf(rows: object[]): string {
  return rows
    .map((r) => JSON.stringify(r))
    .join('\n')
    .concat('\n')
}

export interface ImportCall {
  format?: keyof typeof CONTENT_TYPES
  contentType?: string
  atomic?: boolean
  /** Sent as a stream of chunks of this many bytes without Content-Length, as an upload may be. */
  chunkBytes?: number
}

function chunked(body: Buffer, size: number): Readable {
  const chunks: Buffer[] = []
  for (let at = 0; at < body.length; at += size) chunks.push(body.subarray(at, at + size))
  return Readable.from(chunks)
}

export function importInto(
  t: TestApp,
  who: SignedIn,
  collectionId: string,
  body: string | Buffer,
  options: ImportCall = {},
): Promise<LightMyRequestResponse> {
  const contentType = options.contentType ?? CONTENT_TYPES[options.format ?? 'csv']
  const payload = options.chunkBytes ? chunked(Buffer.from(body), options.chunkBytes) : body
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/collections/${collectionId}/import${options.atomic ? '?atomic=true' : ''}`,
    headers: { ...who.authorization, 'content-type': contentType },
    payload,
  })
}

/** Every row of the collection, locked ones too, read on the owner connection (no RLS). */
export function storedRows(t: TestApp, collectionId: string): Promise<RecordRow[]> {
  return t.database.handle.db
    .selectFrom('records')
    .selectAll()
    .where('collection_id', '=', collectionId)
    .orderBy('created_at')
    .execute()
}

/** Live records' values through the records API, by a field key that names each one. */
export async function valuesByKey(
  t: TestApp,
  who: SignedIn,
  collectionId: string,
  key: string,
): Promise<Map<unknown, Record<string, unknown>>> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/v1/collections/${collectionId}/records?limit=200`,
    headers: who.authorization,
  })
  if (res.statusCode !== 200) throw new Error(`list failed: ${res.statusCode} ${res.body}`)
  const records = res.json().records as { values: Record<string, unknown> }[]
  return new Map(records.map((r) => [r.values[key], r.values]))
}
