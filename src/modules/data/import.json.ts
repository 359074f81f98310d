// DATA-1: JSON imports, streamed. NDJSON: one object per line, numbered by line (blank lines are
// skipped but counted); a line that is not a JSON object is a rejected row, since the lines after
// it are unaffected. JSON: one array of objects, numbered by element; the array is cut into its
// elements by a small scanner that follows only strings and brackets, and each element is then
// parsed by JSON.parse alone, so at most one row is held at a time, JSON's own rules (and its
// handling of `__proto__` as a plain key) apply unchanged, and a malformed element stops the file
// at its row: past broken JSON, where the next element begins cannot be known.
// (The common streaming JSON tokenizers are made for trusted input; this one needs no trust.)
import { ImportFileError, MAX_ROW_CHARS, type RowProblem, type SourceRow } from './import.rows.ts'

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const TOO_LARGE: RowProblem = {
  field: null,
  code: 'row_too_large',
  message: `The row is longer than ${MAX_ROW_CHARS} characters`,
}
const NOT_AN_OBJECT: RowProblem = {
  field: null,
  code: 'not_an_object',
  message: 'Expected an object of field values',
}

/** Text of one row, collected up to MAX_ROW_CHARS; past that only its end is looked for. */
class RowText {
  private parts: string[] = []
  private chars = 0

  append(piece: string): void {
    if (piece === '') return
    this.chars += piece.length
    if (this.chars <= MAX_ROW_CHARS) this.parts.push(piece)
    else this.parts = []
  }

  get tooLarge(): boolean {
    return this.chars > MAX_ROW_CHARS
  }

  get empty(): boolean {
    return this.chars === 0
  }

  take(): string {
    const text = this.parts.join('')
    this.parts = []
    this.chars = 0
    return text
  }
}

export async function* ndjsonRows(texts: AsyncIterable<string>): AsyncGenerator<SourceRow> {
  const line = new RowText()
  let lineNumber = 0
  const finish = (): SourceRow | null => {
    lineNumber += 1
    const tooLarge = line.tooLarge
    const text = line.take()
    if (tooLarge) return { row: lineNumber, problems: [TOO_LARGE] }
    if (text.trim() === '') return null
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return {
        row: lineNumber,
        problems: [{ field: null, code: 'malformed_line', message: 'The line is not valid JSON' }],
      }
    }
    return isObject(value)
      ? { row: lineNumber, input: value }
      : { row: lineNumber, problems: [NOT_AN_OBJECT] }
  }
  for await (const text of texts) {
    let start = 0
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      line.append(text.slice(start, end))
      start = end + 1
      const row = finish()
      if (row) yield row
    }
    line.append(text.slice(start))
  }
  if (!line.empty) {
    const row = finish()
    if (row) yield row
  }
}

function parseElement(row: number, text: string): SourceRow {
  let value: unknown
  try {
    if (text.trim() === '') throw new SyntaxError('empty element')
    value = JSON.parse(text)
  } catch {
    throw new ImportFileError(
      'malformed_json',
      `Element ${row} of the array is not valid JSON`,
      row,
    )
  }
  return isObject(value) ? { row, input: value } : { row, problems: [NOT_AN_OBJECT] }
}

export async function* jsonArrayRows(texts: AsyncIterable<string>): AsyncGenerator<SourceRow> {
  let phase: 'before' | 'inside' | 'after' = 'before'
  // Inside an element: brackets open, and whether the scan is within a string (after a backslash).
  let depth = 0
  let inString = false
  let escaped = false
  let row = 0
  const element = new RowText()
  for await (const text of texts) {
    let start = 0
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (phase === 'before') {
        if (isJsonSpace(c)) continue
        if (c !== OPEN_BRACKET) {
          throw new ImportFileError('not_an_array', 'A JSON import is one array of objects', 0)
        }
        phase = 'inside'
        start = i + 1
      } else if (phase === 'after') {
        if (isJsonSpace(c)) continue
        throw new ImportFileError(
          'malformed_json',
          'Something follows the end of the array',
          row + 1,
        )
      } else if (inString) {
        if (escaped) escaped = false
        else if (c === BACKSLASH) escaped = true
        else if (c === QUOTE) inString = false
      } else if (c === QUOTE) {
        inString = true
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth += 1
      } else if (depth > 0 && (c === CLOSE_BRACE || c === CLOSE_BRACKET)) {
        depth -= 1
      } else if (depth === 0 && (c === COMMA || c === CLOSE_BRACKET)) {
        element.append(text.slice(start, i))
        start = i + 1
        const tooLarge = element.tooLarge
        const piece = element.take()
        if (c === CLOSE_BRACKET) phase = 'after'
        // `[]`: an empty array is an empty import.
        if (c === CLOSE_BRACKET && row === 0 && piece.trim() === '') continue
        row += 1
        yield tooLarge ? { row, problems: [TOO_LARGE] } : parseElement(row, piece)
      }
    }
    if (phase === 'inside') element.append(text.slice(start))
  }
  if (phase === 'before') {
    throw new ImportFileError(
      'not_an_array',
      'The file is empty: a JSON import is one array of objects',
      0,
    )
  }
  if (phase === 'inside') {
    throw new ImportFileError('malformed_json', 'The array is never closed', row + 1)
  }
}
