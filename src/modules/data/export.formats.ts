// DATA-1, SEC-3: how exported records are written. Every format holds the field values only,
// keyed by field key, so an export imports again as it is. CSV: a header of field keys, then one
// row per record, CRLF line ends (RFC 4180), text quoted; a cell that a spreadsheet would run as a
// formula (starting with = + - @, tab, CR or LF) gets a leading apostrophe (CSV injection). Number
// cells are exempt: a finite number written by JavaScript can only be a number to a spreadsheet,
// and "-5" must stay -5. JSON: one array, an element per line; NDJSON: one object per line.
// Absent values are left out (an empty CSV cell).
import type { FieldDefinition } from './fields.ts'
import type { RecordValue, RecordValues } from './records.codec.ts'

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export const EXPORT_MEDIA_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
}

const FORMULA_START = /^[=+\-@\t\r\n]/

/** One CSV cell of a value, quoted and neutralised as a spreadsheet formula where it is text. */
export function csvCell(field: FieldDefinition, value: RecordValue | undefined): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number' && field.type === 'number') return String(value)
  const text = String(value)
  const safe = FORMULA_START.test(text) ? `'${text}` : text
  return `"${safe.replaceAll('"', '""')}"`
}

function present(fields: readonly FieldDefinition[], values: RecordValues): RecordValues {
  const out: RecordValues = {}
  for (const { key } of fields) {
    const value = values[key]
    if (value !== undefined && value !== null) out[key] = value
  }
  return out
}

/**
 * The export as text, one whole line per chunk (text values hold no line breaks: the schema
 * refuses control characters), so it can be written out line by line.
 */
export async function* serializeRecords(
  format: ExportFormat,
  fields: readonly FieldDefinition[],
  records: AsyncIterable<RecordValues>,
): AsyncGenerator<string> {
  if (format === 'csv') {
    yield `${fields.map((f) => f.key).join(',')}\r\n`
    for await (const values of records) {
      yield `${fields.map((f) => csvCell(f, values[f.key])).join(',')}\r\n`
    }
    return
  }
  if (format === 'ndjson') {
    for await (const values of records) yield `${JSON.stringify(present(fields, values))}\n`
    return
  }
  // An element is written once the next one is known, so that only the last has no comma.
  yield '[\n'
  let held: string | null = null
  for await (const values of records) {
    if (held !== null) yield `${held},\n`
    held = JSON.stringify(present(fields, values))
  }
  if (held !== null) yield `${held}\n`
  yield ']\n'
}
