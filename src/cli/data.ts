// `rampart data import|export`: the operator's bulk import and export of one collection's records,
// against the database directly, through the same import and export services as the API. The
// operator reaches any live collection of the tenant; every committed batch and every export is
// audited in the tenant's log with actor `system`. No size limit applies to a local file.
import { once } from 'node:events'
import { createReadStream, createWriteStream, statSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { extname } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Config } from '../config/config.ts'
import type { ServiceContext } from '../context.ts'
import { withKeyServices } from '../crypto/key-services.ts'
import { AppError } from '../http/errors.ts'
import { EXPORT_FORMATS } from '../modules/data/export.formats.ts'
import { exportAsOperator } from '../modules/data/export.service.ts'
import type { ImportReport } from '../modules/data/import.report.ts'
import { IMPORT_FORMATS, type ImportFormat } from '../modules/data/import.rows.ts'
import { importAsOperator } from '../modules/data/import.service.ts'
import { type CliIo, progressOf } from './io.ts'
import { operatorTenant, withOperatorDatabase } from './tenant.ts'

/** Some rows were rejected (the others are imported, unless --atomic). */
export const EXIT_ROWS_REJECTED = 1
/** EX_DATAERR: the file cannot be read to its end; see the report for what was committed. */
export const EXIT_FILE_INVALID = 65
/** EX_NOINPUT: the file cannot be opened. */
export const EXIT_NO_INPUT = 66
/** EX_CANTCREAT: the output file exists or cannot be made. */
export const EXIT_NO_OUTPUT = 73

export interface DataImportOptions {
  tenant: string
  collection: string
  file: string
  format?: string
  atomic?: boolean
}

export interface DataExportOptions {
  tenant: string
  collection: string
  format?: string
  out?: string
}

const BY_EXTENSION: Record<string, ImportFormat> = {
  '.csv': 'csv',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
}

function isFormat<F extends string>(formats: readonly F[], value: string): value is F {
  return (formats as readonly string[]).includes(value)
}

/**
 * Opens the database and the keys, finds the tenant, runs `action`; known errors exit 1. Imports
 * go into active organisations only; an export may also hand back the data of a suspended one or
 * one pending deletion (DATA-3).
 */
async function run(
  config: Config,
  slug: string,
  io: CliIo,
  purpose: 'import' | 'export',
  action: (ctx: ServiceContext, tenantId: string) => Promise<number>,
): Promise<number> {
  return withOperatorDatabase(config, io, async (db) => {
    const tenant = await operatorTenant(db, slug, io)
    if (!tenant) return 1
    if (tenant.status === 'terminated' || (purpose === 'import' && tenant.status !== 'active')) {
      io.err(`tenant ${slug} is ${tenant.status}: its data is not open to ${purpose}`)
      return 1
    }
    return withKeyServices(config.keys, (keys) =>
      action({ config, db, keys: keys.keyring }, tenant.id),
    )
  })
}

function printReport(report: ImportReport, io: CliIo): void {
  io.out(
    `${report.imported} of ${report.received} row(s) imported in ${report.batches} batch(es); ${report.rejected} rejected${report.atomic ? ' (atomic)' : ''}`,
  )
  for (const issue of report.issues) {
    io.out(
      `  row ${issue.row}${issue.field ? ` ${issue.field}` : ''}: ${issue.code}: ${issue.message}`,
    )
  }
  if (report.issuesTruncated)
    io.out(`  (only the first ${report.issues.length} problems are listed)`)
}

function reportOf(err: AppError): ImportReport | null {
  const details = err.details as { report?: ImportReport } | undefined
  return details?.report ?? null
}

export async function dataImport(
  config: Config,
  options: DataImportOptions,
  io: CliIo,
): Promise<number> {
  const format = options.format ?? BY_EXTENSION[extname(options.file).toLowerCase()]
  if (!format || !isFormat(IMPORT_FORMATS, format)) {
    io.err(
      `--format must be one of ${IMPORT_FORMATS.join(', ')} (or use a .csv, .json, .ndjson or .jsonl file)`,
    )
    return 1
  }
  let size: number
  try {
    size = statSync(options.file).size
  } catch {
    io.err(`cannot read ${options.file}`)
    return EXIT_NO_INPUT
  }
  return run(config, options.tenant, io, 'import', async (ctx, tenantId) => {
    const progress = progressOf(io, 'import')
    const file = createReadStream(options.file)
    try {
      const report = await importAsOperator(ctx, tenantId, options.collection, file, {
        format,
        atomic: options.atomic === true,
        onProgress: (p) => progress.update(p.bytes, size),
      })
      progress.update(size, size)
      progress.stop()
      printReport(report, io)
      return report.rejected > 0 ? EXIT_ROWS_REJECTED : 0
    } catch (err) {
      progress.stop()
      const report = err instanceof AppError ? reportOf(err) : null
      if (!(err instanceof AppError) || !report) throw err
      const details = err.details as { row?: number; reason?: string }
      io.err(
        `error ${err.code}: ${err.message}${details.row === undefined ? '' : ` (row ${details.row}${details.reason ? `, ${details.reason}` : ''})`}`,
      )
      printReport(report, io)
      if (!report.atomic && report.settledThroughRow > 0) {
        io.out(`rows 1 to ${report.settledThroughRow} are settled; send the rows after them again`)
      }
      return err.code === 'DATA_IMPORT_FILE_INVALID' || err.code === 'DATA_IMPORT_REJECTED'
        ? EXIT_FILE_INVALID
        : 1
    } finally {
      // An import that stopped early leaves the rest of the file unread.
      file.destroy()
    }
  })
}

export async function dataExport(
  config: Config,
  options: DataExportOptions,
  io: CliIo,
): Promise<number> {
  const format = options.format ?? 'csv'
  if (!isFormat(EXPORT_FORMATS, format)) {
    io.err(`--format must be one of ${EXPORT_FORMATS.join(', ')}`)
    return 1
  }
  return run(config, options.tenant, io, 'export', async (ctx, tenantId) => {
    if (!options.out) {
      const opened = await exportAsOperator(ctx, tenantId, options.collection, format)
      for await (const line of opened.chunks) io.out(line.replace(/\r?\n$/, ''))
      io.err(`${opened.exported()} record(s) exported`)
      return 0
    }
    // Decrypted personal values: a new file, readable by the operator's account only, made
    // before the export is opened (and audited), so a bad path exports nothing.
    const file = createWriteStream(options.out, { flags: 'wx', mode: 0o600 })
    try {
      await once(file, 'open')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      io.err(
        code === 'EEXIST'
          ? `${options.out} exists; name a new file`
          : `cannot write ${options.out}`,
      )
      return EXIT_NO_OUTPUT
    }
    let opened: Awaited<ReturnType<typeof exportAsOperator>>
    try {
      opened = await exportAsOperator(ctx, tenantId, options.collection, format)
    } catch (err) {
      file.destroy()
      await rm(options.out, { force: true })
      throw err
    }
    await pipeline(Readable.from(opened.chunks), file)
    io.out(`${opened.exported()} record(s) exported to ${options.out}`)
    return 0
  })
}
