// DATA-1, SEC-3: what every import format's reader yields, and the problems that stop a file.
// Readers stream: they hold one row (and one chunk of input) at a time, never the whole body.

export const IMPORT_FORMATS = ['csv', 'json', 'ndjson'] as const
export type ImportFormat = (typeof IMPORT_FORMATS)[number]

/**
 * The most characters one row may take in the file. The widest valid record (100 fields of
 * 10,000 characters) fits; anything far beyond is refused without being held in memory.
 */
export const MAX_ROW_CHARS = 2 * 1024 * 1024

export interface RowProblem {
  field: string | null
  code: string
  message: string
}

/** One data row: the values to check against the schema, or why the row itself is unusable. */
export type SourceRow =
  | { row: number; input: unknown; problems?: undefined }
  | { row: number; input?: undefined; problems: RowProblem[] }

/**
 * A problem that stops the whole file (a header that does not fit the schema, broken quoting or
 * JSON, bytes that are not UTF-8): nothing after it can be read reliably. `row` is the row where
 * it was found, 0 for the CSV header; readers below the row level leave it to the caller.
 */
export class ImportFileError extends Error {
  override name = 'ImportFileError'
  constructor(
    readonly reason: string,
    message: string,
    readonly row?: number,
  ) {
    super(message)
  }
}

/** The body went past the byte limit (413). */
export class ImportTooLarge extends Error {
  override name = 'ImportTooLarge'
  constructor(readonly limitBytes: number) {
    super(`The import is larger than ${limitBytes} bytes`)
  }
}
