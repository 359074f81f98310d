// DATA-1: CSV import (RFC 4180: comma-separated, double-quoted cells with "" for a quote, CRLF or
// LF line ends), parsed by csv-parse. The first row names a field key per column; every column
// must be a field of the collection, once, and every required field needs its column. Cells are
// text: each is converted to its field's type here (number, boolean true/false, date YYYY-MM-DD;
// an empty cell is an absent value) and the result is held to the schema like any other input.
import { setImmediate as nextTurn } from 'node:timers/promises'
import { CsvError, parse } from 'csv-parse'
import type { FieldDefinition } from './fields.ts'
import { ImportFileError, MAX_ROW_CHARS, type SourceRow } from './import.rows.ts'

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/**
 * A cell as its field's value. What does not convert is handed on as the text it is, so the
 * schema check reports it for the field (`wrong_type`) like a wrong JSON value.
 */
export function csvCellValue(field: FieldDefinition, cell: string): unknown {
  if (cell === '') return undefined
  switch (field.type) {
    case 'number': {
      const text = cell.trim()
      if (text === '') return undefined
      return NUMBER.test(text) ? Number(text) : cell
    }
    case 'boolean': {
      const text = cell.trim().toLowerCase()
      if (text === '') return undefined
      return text === 'true' ? true : text === 'false' ? false : cell
    }
    case 'date': {
      const text = cell.trim()
      return text === '' ? undefined : text
    }
    default:
      return cell
  }
}

const shown = (name: string) => JSON.stringify(name.length <= 64 ? name : `${name.slice(0, 61)}...`)

/** The header row as the fields its columns name; throws for a header that does not fit. */
function headerFields(cells: string[], fields: readonly FieldDefinition[]): FieldDefinition[] {
  const byKey = new Map(fields.map((f) => [f.key, f]))
  const seen = new Set<string>()
  const columns: FieldDefinition[] = []
  for (const [index, cell] of cells.entries()) {
    const key = cell.trim()
    if (key === '') {
      throw new ImportFileError('empty_column_name', `Column ${index + 1} has no name`, 0)
    }
    const field = byKey.get(key)
    if (!field) {
      throw new ImportFileError(
        'unknown_column',
        `Column ${index + 1} (${shown(key)}) is not a field of the collection`,
        0,
      )
    }
    if (seen.has(key)) {
      throw new ImportFileError('duplicate_column', `Column ${shown(key)} appears twice`, 0)
    }
    seen.add(key)
    columns.push(field)
  }
  const missing = fields.find((f) => f.required && !seen.has(f.key))
  if (missing) {
    throw new ImportFileError(
      'missing_column',
      `The required field ${shown(missing.key)} has no column`,
      0,
    )
  }
  return columns
}

/** A data row as field values, or why its cells do not line up with the header. */
function toSourceRow(row: number, cells: string[], columns: FieldDefinition[]): SourceRow {
  if (cells.length !== columns.length) {
    return {
      row,
      problems: [
        {
          field: null,
          code: 'cell_count',
          message: `Expected ${columns.length} cells as in the header, found ${cells.length}`,
        },
      ],
    }
  }
  const entries: [string, unknown][] = []
  for (const [index, field] of columns.entries()) {
    const value = csvCellValue(field, cells[index] as string)
    if (value !== undefined) entries.push([field.key, value])
  }
  return { row, input: Object.fromEntries(entries) }
}

/** csv-parse's own messages quote the offending value; the report names the problem only. */
function fileError(err: unknown, row: number): ImportFileError {
  if (err instanceof ImportFileError) return err
  if (err instanceof CsvError) {
    if (err.code === 'CSV_MAX_RECORD_SIZE') {
      return new ImportFileError(
        'row_too_large',
        `A row is longer than ${MAX_ROW_CHARS} characters`,
        row,
      )
    }
    const problem =
      err.code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'a quoted cell is never closed'
        : err.code === 'INVALID_OPENING_QUOTE'
          ? 'a quote appears inside an unquoted cell (quote the whole cell and double the quote)'
          : err.code === 'CSV_INVALID_CLOSING_QUOTE'
            ? 'a closing quote is followed by something other than a comma or a line end'
            : `the CSV is malformed (${err.code})`
    return new ImportFileError('malformed_csv', `Row ${row}: ${problem}`, row)
  }
  throw err
}

/**
 * The rows of a CSV body, one at a time, numbered from 1 after the header. csv-parse drops the
 * records it has buffered when it meets an error, so records are taken as they are parsed
 * (on_record, in order) and an error is only raised once every row before it was handed on:
 * the batches before a malformed row commit exactly as they would have without it.
 */
export async function* csvRows(
  texts: AsyncIterable<string>,
  fields: readonly FieldDefinition[],
): AsyncGenerator<SourceRow> {
  const parsed: string[][] = []
  let failure: unknown = null
  const parser = parse({
    delimiter: ',',
    quote: '"',
    escape: '"',
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_ROW_CHARS,
    on_record: (record: string[]) => {
      parsed.push(record)
      return null
    },
  })
  parser.on('error', (err) => {
    failure = err
  })
  const ended = new Promise<void>((resolve) => {
    parser.once('finish', resolve)
    parser.once('error', () => resolve())
  })
  let columns: FieldDefinition[] | null = null
  let row = 0
  function* take(): Generator<SourceRow> {
    for (const cells of parsed.splice(0)) {
      if (!columns) {
        columns = headerFields(cells, fields)
        continue
      }
      row += 1
      yield toSourceRow(row, cells, columns)
    }
  }
  try {
    for await (const text of texts) {
      parser.write(text)
      // csv-parse reports a parse error on the next tick; wait for it before going on.
      await nextTurn()
      yield* take()
      if (failure) throw fileError(failure, row + 1)
    }
    parser.end()
    await ended
    yield* take()
    if (failure) throw fileError(failure, row + 1)
    if (!columns) throw new ImportFileError('missing_header', 'The file has no header row', 0)
  } catch (err) {
    throw fileError(err, row + 1)
  } finally {
    parser.destroy()
  }
}
