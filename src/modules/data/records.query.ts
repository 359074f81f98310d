// DATA-1, SEC-3: the record list's query language, parsed and checked before any SQL is built.
// Filters are `field:op:value`, sorts `field`, `-field`, `createdAt` or `updatedAt`; both may
// name only public and internal fields (personal and sensitive ones exist only as ciphertext).
// Cursors are opaque and carry a fingerprint of the query they belong to: a cursor used with
// another sort or other filters is refused rather than giving a wrong page.
import { createHash } from 'node:crypto'
import type { Collection } from './collections.service.ts'
import { decodePageCursor, encodePageCursor } from './cursor.ts'
import { DataErrors } from './errors.ts'
import { type FieldDefinition, type FieldType, isQueryable } from './fields.ts'
import { isCalendarDate, isCursorTimestamp } from './records.codec.ts'

export const FILTER_OPS = [
  'eq',
  'ne',
  'lt',
  'lte',
  'gt',
  'gte',
  'contains',
  'in',
  'exists',
  'missing',
] as const
export type FilterOp = (typeof FILTER_OPS)[number]

export const MAX_FILTERS = 20
export const MAX_IN_VALUES = 100
export const MAX_FILTER_LENGTH = 2_000

const ORDERED: readonly FilterOp[] = [
  'eq',
  'ne',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'exists',
  'missing',
]
const OPS_BY_TYPE: Record<FieldType, readonly FilterOp[]> = {
  text: [...ORDERED, 'contains'],
  email: [...ORDERED, 'contains'],
  number: ORDERED,
  date: ORDERED,
  enum: ['eq', 'ne', 'in', 'exists', 'missing'],
  boolean: ['eq', 'ne', 'exists', 'missing'],
}

export type FilterValue = string | number | boolean

export interface Filter {
  field: FieldDefinition
  op: FilterOp
  /** One value; several for `in`; none for `exists` and `missing`. */
  values: FilterValue[]
}

export type SortKey =
  | { kind: 'field'; field: FieldDefinition }
  | { kind: 'createdAt' }
  | { kind: 'updatedAt' }

export interface Sort {
  key: SortKey
  descending: boolean
}

/** Where the previous page stopped: its last sort value (null when it had none) and id. */
export interface Cursor {
  sortValue: string | null
  id: string
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/
const NUMERIC_TEXT = /^-?\d{1,1000}(?:\.\d{1,1000})?$/
function filterInvalid(index: number, message: string, field?: string): never {
  throw DataErrors.DATA_FILTER_INVALID(message, { filter: index, ...(field ? { field } : {}) })
}

/** The field a filter or sort names, if the database may query it. */
function queryableField(collection: Collection, key: string): FieldDefinition {
  const field = collection.fields.find((f) => f.key === key)
  const shown = key.length <= 64 ? key : `${key.slice(0, 61)}...`
  if (!field) throw DataErrors.DATA_FIELD_UNKNOWN(undefined, { field: shown })
  if (!isQueryable(field))
    throw DataErrors.DATA_FIELD_NOT_QUERYABLE(undefined, { field: field.key })
  return field
}

/** `in` values: separated by `,`; `\,` is a comma inside a value and `\\` a backslash. */
export function splitList(text: string): string[] | null {
  const values: string[] = []
  let current = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\\') {
      const next = text[i + 1]
      if (next !== ',' && next !== '\\') return null
      current += next
      i++
    } else if (c === ',') {
      values.push(current)
      current = ''
    } else {
      current += c
    }
  }
  values.push(current)
  return values
}

function parseValue(field: FieldDefinition, text: string, index: number): FilterValue {
  switch (field.type) {
    case 'number': {
      const n = Number(text)
      if (!NUMBER.test(text) || !Number.isFinite(n)) {
        filterInvalid(index, 'A number filter value is a finite decimal number', field.key)
      }
      return n
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') {
        filterInvalid(index, 'A boolean filter value is true or false', field.key)
      }
      return text === 'true'
    case 'date':
      if (!isCalendarDate(text)) {
        filterInvalid(index, 'A date filter value is a real date written YYYY-MM-DD', field.key)
      }
      return text
    default:
      return text.normalize('NFC')
  }
}

/** Parses the repeated `filter` parameters (`field:op:value`; the value may hold colons). */
export function parseFilters(collection: Collection, raw: readonly string[]): Filter[] {
  if (raw.length > MAX_FILTERS) {
    throw DataErrors.DATA_FILTER_INVALID(`At most ${MAX_FILTERS} filters`)
  }
  return raw.map((text, index) => {
    const first = text.indexOf(':')
    if (first < 1) filterInvalid(index, 'A filter is field:op:value')
    const key = text.slice(0, first)
    const second = text.indexOf(':', first + 1)
    const op = second < 0 ? text.slice(first + 1) : text.slice(first + 1, second)
    const rest = second < 0 ? null : text.slice(second + 1)
    const field = queryableField(collection, key)
    if (!(FILTER_OPS as readonly string[]).includes(op)) {
      filterInvalid(index, `The operator is one of ${FILTER_OPS.join(', ')}`, field.key)
    }
    const filterOp = op as FilterOp
    if (!OPS_BY_TYPE[field.type].includes(filterOp)) {
      filterInvalid(
        index,
        `A ${field.type} field takes ${OPS_BY_TYPE[field.type].join(', ')}`,
        field.key,
      )
    }
    if (filterOp === 'exists' || filterOp === 'missing') {
      if (rest !== null && rest !== '') filterInvalid(index, `${op} takes no value`, field.key)
      return { field, op: filterOp, values: [] }
    }
    if (rest === null) filterInvalid(index, `${op} needs a value`, field.key)
    if (filterOp !== 'in') return { field, op: filterOp, values: [parseValue(field, rest, index)] }
    const list = splitList(rest)
    if (list === null) {
      filterInvalid(index, 'In an in-list, \\ escapes only , and \\', field.key)
    }
    if (list.length > MAX_IN_VALUES) {
      filterInvalid(index, `An in-list has at most ${MAX_IN_VALUES} values`, field.key)
    }
    return { field, op: filterOp, values: list.map((v) => parseValue(field, v, index)) }
  })
}

export function parseSort(collection: Collection, raw: string | undefined): Sort {
  if (raw === undefined) return { key: { kind: 'createdAt' }, descending: true }
  const descending = raw.startsWith('-')
  const name = descending ? raw.slice(1) : raw
  if (name === 'createdAt' || name === 'updatedAt') return { key: { kind: name }, descending }
  if (name === '') throw DataErrors.DATA_SORT_INVALID()
  return { key: { kind: 'field', field: queryableField(collection, name) }, descending }
}

/**
 * What a cursor must match: the collection, the filters, the sort and the subject searched for.
 * The subject enters only as its blind indexes (keyed: the fingerprint reveals nothing of it).
 */
export function queryFingerprint(
  collectionId: string,
  filters: readonly string[],
  sort: Sort,
  subjects: readonly { version: number; index: Buffer }[] | null,
): string {
  const sortName = sort.key.kind === 'field' ? `f:${sort.key.field.key}` : sort.key.kind
  const subject = subjects?.map((s) => `${s.version}:${s.index.toString('hex')}`) ?? null
  return createHash('sha256')
    .update(JSON.stringify([collectionId, filters, sortName, sort.descending, subject]), 'utf8')
    .digest('base64url')
    .slice(0, 16)
}

export function encodeCursor(fingerprint: string, cursor: Cursor): string {
  return encodePageCursor(fingerprint, cursor.sortValue, cursor.id)
}

/** The sort value's text form for the sort's type, or false when it cannot be one. */
function validSortValue(sort: Sort, value: string): boolean {
  if (sort.key.kind !== 'field') return isCursorTimestamp(value)
  switch (sort.key.field.type) {
    case 'number':
      return NUMERIC_TEXT.test(value)
    case 'date':
      return isCalendarDate(value)
    case 'boolean':
      return value === 'true' || value === 'false'
    default:
      return value.length <= 40_000
  }
}

/** The position a cursor names, after checking it was made for this very query. */
export function decodeCursor(text: string, fingerprint: string, sort: Sort): Cursor {
  // Only a field sort has rows without a value (null sorts last); created and updated never.
  const valid = (position: unknown): position is string | null =>
    position === null
      ? sort.key.kind === 'field'
      : typeof position === 'string' && validSortValue(sort, position)
  const { position, id } = decodePageCursor(text, fingerprint, valid)
  return { sortValue: position, id }
}
