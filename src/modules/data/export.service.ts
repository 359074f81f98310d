// DATA-1, DATA-3, LOG-1: export of a collection's live records, shared by GET .../export and
// `rampart data export`. Records are read page by page (each page its own short transaction, which
// checks again that the caller may view the collection, so a grant removed mid-export stops it),
// personal and sensitive values decrypted for the caller (KMS-2: whoever may view the collection
// may read them) and streamed out. Locked records are never read (DATA-4). The export is recorded
// (`collection.export`, with the field names) in the transaction that reads the first page, so it
// is on record before anything leaves; the first page is decrypted before the answer starts, so
// an unreadable record or a missing key still gets a clear 4xx.
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { SYSTEM_META } from '../../context.ts'
import { type Trx, withTenant } from '../../db/tenant.ts'
import { assertCan } from '../access/permissions.ts'
import { eventOrigin, recordEvent } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import { actorOf, type Principal } from '../identity/sessions.service.ts'
import {
  COLLECTION_TYPE,
  type Collection,
  collectionForAccess,
  operatorReach,
} from './collections.service.ts'
import { type ExportFormat, serializeRecords } from './export.formats.ts'
import { type ExportCursor, liveRecordsPage } from './export.repository.ts'
import { openRecord, type RecordValues } from './records.codec.ts'

const PAGE_SIZE = 500

export interface Exporter {
  tenantId: string
  /** The live collection the exporter may view; DATA_COLLECTION_NOT_FOUND otherwise. */
  reach(trx: Trx): Promise<Collection>
  actor: AuditEvent['actor']
  meta: RequestMeta
}

export interface OpenedExport {
  collection: Collection
  /** The export's text, one line per chunk. */
  chunks: AsyncGenerator<string>
  /** Records written out so far. */
  exported(): number
}

type Page = Awaited<ReturnType<typeof liveRecordsPage>>

export async function exportRecords(
  ctx: ServiceContext,
  exporter: Exporter,
  format: ExportFormat,
): Promise<OpenedExport> {
  const { tenantId } = exporter
  const opened = await withTenant(ctx.db, tenantId, async (trx) => {
    const collection = await exporter.reach(trx)
    await recordEvent(trx, tenantId, {
      category: 'data',
      action: 'collection.export',
      outcome: 'success',
      reason: format,
      actor: exporter.actor,
      target: { type: COLLECTION_TYPE, id: collection.id },
      fields: collection.fields.map((f) => f.key),
      ...eventOrigin(exporter.meta),
    })
    return {
      collection,
      rows: await liveRecordsPage(trx, tenantId, collection.id, null, PAGE_SIZE),
    }
  })
  const { collection } = opened

  const open = (current: Collection, rows: Page) =>
    Promise.all(rows.map((row) => openRecord(ctx.keys, tenantId, current, row)))
  const firstValues = await open(collection, opened.rows)

  let exported = 0
  async function* records(): AsyncGenerator<RecordValues> {
    for (const values of firstValues) {
      yield values
      exported += 1
    }
    let rows = opened.rows
    while (rows.length === PAGE_SIZE) {
      const last = rows[rows.length - 1] as Page[number]
      const after: ExportCursor = { createdAt: last.created_at_utc, id: last.id }
      const page = await withTenant(ctx.db, tenantId, async (trx) => {
        const current = await exporter.reach(trx)
        return {
          current,
          rows: await liveRecordsPage(trx, tenantId, collection.id, after, PAGE_SIZE),
        }
      })
      rows = page.rows
      for (const values of await open(page.current, rows)) {
        yield values
        exported += 1
      }
    }
  }
  return {
    collection,
    chunks: serializeRecords(format, collection.fields, records()),
    exported: () => exported,
  }
}

/** GET .../export: records.export, and view access to the collection at every page. */
export function exportForPrincipal(
  ctx: ServiceContext,
  principal: Principal,
  collectionId: string,
  format: ExportFormat,
  meta: RequestMeta,
): Promise<OpenedExport> {
  assertCan(principal, 'records.export')
  return exportRecords(
    ctx,
    {
      tenantId: principal.tenantId,
      reach: (trx) => collectionForAccess(trx, principal.tenantId, principal, collectionId, 'view'),
      actor: actorOf(principal),
      meta,
    },
    format,
  )
}

/** `rampart data export`: the operator, against the database directly, audited as system. */
export function exportAsOperator(
  ctx: ServiceContext,
  tenantId: string,
  collectionId: string,
  format: ExportFormat,
): Promise<OpenedExport> {
  return exportRecords(
    ctx,
    {
      tenantId,
      reach: (trx) => operatorReach(trx, tenantId, collectionId),
      actor: { type: 'system' },
      meta: SYSTEM_META,
    },
    format,
  )
}
