import type { Insertable } from 'kysely'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { SYSTEM_META } from '../../context.ts'
import { type Trx, withTenant } from '../../db/tenant.ts'
import { AppError } from '../../http/errors.ts'
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
import { csvRows } from './import.csv.ts'
import { ImportErrors } from './import.errors.ts'
import { jsonArrayRows, ndjsonRows } from './import.json.ts'
import { type ImportReport, ReportBuilder } from './import.report.ts'
import {
  ImportFileError,
  type ImportFormat,
  ImportTooLarge,
  type SourceRow,
} from './import.rows.ts'
import { countedText } from './import.text.ts'
import { checkRecordValues, newRecordRow } from './records.codec.ts'
import { insertRecords } from './records.repository.ts'
import type { RecordsTable } from './records.table.ts'

export interface ImportOptions {
  format: ImportFormat
  atomic: boolean
  /** Bytes beyond which the import stops (413); none for the operator's own files. */
  maxBytes?: number | undefined
  /** The size the client declared (Content-Length): refused before reading when over maxBytes. */
  declaredBytes?: number | undefined
  /** Called after every committed batch, and awaited before the next batch commits. */
  onProgress?: ((progress: ImportProgress) => void | Promise<void>) | undefined
}

export interface ImportProgress {
  bytes: number
  received: number
  imported: number
  rejected: number
}

/** Who imports: their audit identity, and how their reach of the collection is checked. */
export interface Importer {
  tenantId: string
  /**
   * The live collection the importer may write to, share-locked so its schema cannot change
   * before the transaction ends; DATA_COLLECTION_NOT_FOUND otherwise. Runs in every batch.
   */
  reach(trx: Trx): Promise<Collection>
  actor: AuditEvent['actor']
  createdBy: string | null
  meta: RequestMeta
}

interface Batch {
  records: Insertable<RecordsTable>[]
  fields: Set<string>
  /** Rows read into the batch, rejected ones included, and the number of its last. */
  rows: number
  lastRow: number
}

const newBatch = (): Batch => ({ records: [], fields: new Set(), rows: 0, lastRow: 0 })

function readerFor(
  format: ImportFormat,
  texts: AsyncIterable<string>,
  collection: Collection,
): AsyncGenerator<SourceRow> {
  if (format === 'csv') return csvRows(texts, collection.fields)
  return format === 'ndjson' ? ndjsonRows(texts) : jsonArrayRows(texts)
}

/** An error that stopped the import, as the 4xx it answers with, carrying the report. */
function stoppedBy(err: unknown, report: ImportReport, nextRow: number): unknown {
  if (err instanceof ImportTooLarge) {
    return ImportErrors.DATA_IMPORT_TOO_LARGE(undefined, { limitBytes: err.limitBytes, report })
  }
  if (err instanceof ImportFileError) {
    return ImportErrors.DATA_IMPORT_FILE_INVALID(err.message, {
      row: err.row ?? nextRow,
      reason: err.reason,
      report,
    })
  }
  if (err instanceof AppError) {
    const details = typeof err.details === 'object' && err.details !== null ? err.details : {}
    return new AppError(err.code, err.statusCode, err.message, { ...details, report })
  }
  return err
}

/** Runs an import for `importer`; resolves to the report, or throws a 4xx carrying it. */
export async function importRecords(
  ctx: ServiceContext,
  importer: Importer,
  body: AsyncIterable<Buffer | Uint8Array | string>,
  options: ImportOptions,
): Promise<ImportReport> {
  const { tenantId } = importer
  const builder = new ReportBuilder(options.format, options.atomic)
  const report = builder.report
  // Access first: a caller who may not reach the collection learns nothing about the body.
  const collection = await withTenant(ctx.db, tenantId, (trx) => importer.reach(trx))
  if (
    options.maxBytes !== undefined &&
    options.declaredBytes !== undefined &&
    options.declaredBytes > options.maxBytes
  ) {
    throw stoppedBy(new ImportTooLarge(options.maxBytes), report, 1)
  }
  const text = countedText(body, options.maxBytes)
  const rows = readerFor(options.format, text.chunks, collection)
  const batchRows = ctx.config.data.importBatchRows
  let lastRow = 0

  async function commitBatch(trx: Trx, batch: Batch): Promise<void> {
    // AUTHZ-2: a grant removed or a collection deleted mid-import stops it at the next batch.
    const current = await importer.reach(trx)
    if (current.schemaVersion !== collection.schemaVersion) {
      throw ImportErrors.DATA_IMPORT_SCHEMA_CHANGED(undefined, {
        expectedVersion: collection.schemaVersion,
        schemaVersion: current.schemaVersion,
      })
    }
    await insertRecords(trx, batch.records)
    // DATA-2, LOG-1: one event per committed batch, naming the fields it set, never values.
    await recordEvent(trx, tenantId, {
      category: 'data',
      action: 'record.import',
      outcome: 'success',
      actor: importer.actor,
      target: { type: COLLECTION_TYPE, id: collection.id },
      fields: collection.fields.map((f) => f.key).filter((key) => batch.fields.has(key)),
      ...eventOrigin(importer.meta),
    })
  }

  async function add(batch: Batch, source: SourceRow): Promise<void> {
    builder.received()
    batch.rows += 1
    if (source.problems) {
      builder.rejected(source.row, source.problems)
      return
    }
    const checked = checkRecordValues(collection, source.input, 'create')
    if (!checked.ok) {
      builder.rejected(source.row, checked.issues)
      return
    }
    // Atomic and already failed: nothing will commit, the rest is only checked for the report.
    if (options.atomic && report.rejected > 0) return
    batch.records.push(
      await newRecordRow(ctx.keys, tenantId, collection, checked.values, importer.createdBy),
    )
    for (const key of Object.keys(checked.values)) batch.fields.add(key)
  }

  /**
   * Reads every row, handing each full batch to `commit`. One batch is committed while the next
   * is read and sealed (the database and this process work at once); commits still happen one
   * at a time and in order, and nothing read after a failed commit is committed. Whatever stops
   * the import, it returns or throws only once no commit is in flight.
   */
  async function run(commit: (batch: Batch) => Promise<void>): Promise<void> {
    const committed = async (batch: Batch) => {
      await commit(batch)
      await options.onProgress?.({
        bytes: text.bytes(),
        received: report.received,
        imported: report.imported,
        rejected: report.rejected,
      })
    }
    let inFlight: Promise<void> = Promise.resolve()
    let batch = newBatch()
    let readError: unknown = null
    try {
      for await (const source of rows) {
        lastRow = source.row
        batch.lastRow = source.row
        await add(batch, source)
        if (batch.rows >= batchRows) {
          const full = batch
          batch = newBatch()
          await inFlight
          inFlight = committed(full)
          // Observed at the next batch or at the end; never an unhandled rejection meanwhile.
          inFlight.catch(() => undefined)
        }
      }
    } catch (err) {
      readError = err
    }
    // A failed commit is about earlier rows than anything read after it: it is the cause.
    await inFlight
    if (readError) throw readError
    if (batch.rows > 0) await committed(batch)
  }

  try {
    if (options.atomic) {
      let inserted = 0
      await withTenant(ctx.db, tenantId, async (trx) => {
        await run(async (batch) => {
          if (batch.records.length === 0 || report.rejected > 0) return
          await commitBatch(trx, batch)
          inserted += batch.records.length
        })
        // Throwing rolls back every batch already inserted in this transaction.
        if (report.rejected > 0) throw ImportErrors.DATA_IMPORT_REJECTED()
      })
      builder.committed(inserted)
      builder.settled(lastRow)
    } else {
      await run(async (batch) => {
        if (batch.records.length > 0) {
          await withTenant(ctx.db, tenantId, (trx) => commitBatch(trx, batch))
          builder.committed(batch.records.length)
        }
        builder.settled(batch.lastRow)
      })
    }
    return report
  } catch (err) {
    if (options.atomic) builder.rolledBack()
    throw stoppedBy(err, report, lastRow + 1)
  }
}

/** POST .../import: records.import, and edit access to the collection at every batch. */
export function importForPrincipal(
  ctx: ServiceContext,
  principal: Principal,
  collectionId: string,
  body: AsyncIterable<Buffer | Uint8Array | string>,
  options: ImportOptions,
  meta: RequestMeta,
): Promise<ImportReport> {
  assertCan(principal, 'records.import')
  return importRecords(
    ctx,
    {
      tenantId: principal.tenantId,
      reach: (trx) => collectionForAccess(trx, principal.tenantId, principal, collectionId, 'edit'),
      actor: actorOf(principal),
      createdBy: principal.userId,
      meta,
    },
    body,
    options,
  )
}

/** `rampart data import`: the operator, against the database directly; no size limit. */
export function importAsOperator(
  ctx: ServiceContext,
  tenantId: string,
  collectionId: string,
  body: AsyncIterable<Buffer | Uint8Array | string>,
  options: ImportOptions,
): Promise<ImportReport> {
  return importRecords(
    ctx,
    {
      tenantId,
      reach: (trx) => operatorReach(trx, tenantId, collectionId),
      actor: { type: 'system' },
      createdBy: null,
      meta: SYSTEM_META,
    },
    body,
    options,
  )
}
