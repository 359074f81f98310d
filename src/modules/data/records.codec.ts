// DATA-1, KMS-2: a record's values between the API and the database. checkRecordValues holds
// input to the collection's schema (pure: the importer uses it too); sealRecord splits checked
// values into the plain `data` (public, internal) and the encrypted `sealed` (personal,
// sensitive), and computes the data-subject blind index; openRecord reverses it.
import { createHmac, randomUUID } from 'node:crypto'
import type { Insertable } from 'kysely'
import { KmsError } from '../../crypto/errors.ts'
import { decryptFieldText, encryptField, type FieldRef } from '../../crypto/field-encryption.ts'
import type { Keyring } from '../../crypto/keyring.ts'
import { UNSAFE_TEXT } from '../../http/schemas.ts'
import type { Collection } from './collections.service.ts'
import { DataErrors } from './errors.ts'
import { type FieldDefinition, isEncryptedClass } from './fields.ts'
import type { PlainValues, RecordRow, RecordsTable, SealedValues } from './records.table.ts'

export type RecordValue = string | number | boolean | null
export type RecordValues = Record<string, RecordValue>

export interface FieldIssue {
  field: string
  code: string
  message: string
}

/** Longest text value, in characters (the body limit caps a whole record anyway). */
export const MAX_TEXT_LENGTH = 10_000
/** RFC 5321's limit on a forward path. */
export const MAX_EMAIL_LENGTH = 254
/**
 * SEC-3: the largest magnitude a number field holds. Dashboards sum and average in double
 * precision in the database; bounded values keep any sum of any collection far inside its range
 * (10^9 records of 10^15 make 10^24), where values near 1.8e308 overflowed a sum into an error.
 */
export const MAX_NUMBER = 1e15

export const RECORDS_TABLE = 'records'

// Pragmatic: one @, no spaces or angle brackets, a dot in the domain. Deliverability is not
// checked (that needs a mail), only that the value is shaped like an address.
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]+$/u
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Whether `text` is a real calendar date written YYYY-MM-DD (year 0001..9999). */
export function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text)
  if (!match) return false
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  if (year < 1 || month < 1 || month > 12 || day < 1) return false
  const date = new Date(Date.UTC(2000, month - 1, day))
  date.setUTCFullYear(year)
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

const CURSOR_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/

/**
 * Whether `text` is a real UTC instant in the microsecond form cursors carry
 * (`YYYY-MM-DDTHH:MM:SS.ffffffZ`): Date.parse takes 30 February, which PostgreSQL then refuses.
 */
export function isCursorTimestamp(text: string): boolean {
  const match = CURSOR_TIMESTAMP.exec(text)
  if (!match || !isCalendarDate(match[1] as string)) return false
  return Number(match[2]) <= 23 && Number(match[3]) <= 59 && Number(match[4]) <= 59
}

function issue(field: string, code: string, message: string): FieldIssue {
  return { field, code, message }
}

/** One non-null value checked against its field: the stored form, or the problem. */
function checkValue(field: FieldDefinition, value: unknown): RecordValue | FieldIssue {
  const { key } = field
  switch (field.type) {
    case 'text': {
      if (typeof value !== 'string') return issue(key, 'wrong_type', 'Expected a string')
      const text = value.normalize('NFC')
      if ([...text].length > MAX_TEXT_LENGTH) {
        return issue(key, 'too_long', `At most ${MAX_TEXT_LENGTH} characters`)
      }
      if (UNSAFE_TEXT.test(text)) {
        return issue(key, 'unsafe_text', 'No control, line-separator or direction characters')
      }
      if (field.required && text.trim() === '') {
        return issue(key, 'required', 'A required text field cannot be empty')
      }
      return text
    }
    case 'email': {
      if (typeof value !== 'string') return issue(key, 'wrong_type', 'Expected a string')
      const email = value.trim().normalize('NFC')
      if (email.length > MAX_EMAIL_LENGTH) {
        return issue(key, 'too_long', `At most ${MAX_EMAIL_LENGTH} characters`)
      }
      if (UNSAFE_TEXT.test(email) || !EMAIL.test(email)) {
        return issue(key, 'invalid_email', 'Expected an e-mail address')
      }
      return email
    }
    case 'number':
      if (typeof value !== 'number') return issue(key, 'wrong_type', 'Expected a number')
      if (!Number.isFinite(value)) return issue(key, 'not_finite', 'Expected a finite number')
      if (Math.abs(value) > MAX_NUMBER) {
        return issue(key, 'out_of_range', `At most ${MAX_NUMBER} in magnitude`)
      }
      // -0 would be stored as 0 by jsonb: store what will be read back.
      return value === 0 ? 0 : value
    case 'boolean':
      return typeof value === 'boolean' ? value : issue(key, 'wrong_type', 'Expected a boolean')
    case 'date':
      if (typeof value !== 'string') return issue(key, 'wrong_type', 'Expected a YYYY-MM-DD string')
      return isCalendarDate(value)
        ? value
        : issue(key, 'invalid_date', 'Expected a real calendar date written YYYY-MM-DD')
    case 'enum':
      if (typeof value !== 'string') return issue(key, 'wrong_type', 'Expected one of the options')
      return field.options?.includes(value)
        ? value
        : issue(key, 'not_an_option', 'Not one of the field options')
  }
}

function isIssue(value: RecordValue | FieldIssue): value is FieldIssue {
  return typeof value === 'object' && value !== null
}

/**
 * Holds `input` to the collection's schema. `create`: every required field present and not null,
 * nulls of optional fields dropped. `update`: only the fields given; null clears an optional one.
 * Pure: no I/O, so the importer runs it on every row before anything is written.
 */
export function checkRecordValues(
  collection: Collection,
  input: unknown,
  mode: 'create' | 'update',
): { ok: true; values: RecordValues } | { ok: false; issues: FieldIssue[] } {
  if (!isPlainObject(input)) {
    return { ok: false, issues: [issue('', 'wrong_type', 'Expected an object of field values')] }
  }
  const issues: FieldIssue[] = []
  const byKey = new Map(collection.fields.map((f) => [f.key, f]))
  for (const key of Object.keys(input)) {
    if (!byKey.has(key)) {
      // A key that cannot be a field key is not echoed back at length.
      const shown = key.length <= 64 ? key : `${key.slice(0, 61)}...`
      issues.push(issue(shown, 'unknown_field', 'The collection has no such field'))
    }
  }
  const values: RecordValues = {}
  for (const field of collection.fields) {
    const given = Object.hasOwn(input, field.key)
    const value = given ? input[field.key] : undefined
    if (value === undefined || value === null) {
      if (field.required && (mode === 'create' || value === null)) {
        issues.push(issue(field.key, 'required', 'The field is required'))
      } else if (value === null && mode === 'update') {
        values[field.key] = null
      }
      continue
    }
    const checked = checkValue(field, value)
    if (isIssue(checked)) issues.push(checked)
    else values[field.key] = checked
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, values }
}

/** checkRecordValues, throwing DATA_VALUE_INVALID (422) naming the first field at fault. */
export function assertRecordValues(
  collection: Collection,
  input: unknown,
  mode: 'create' | 'update',
): RecordValues {
  const result = checkRecordValues(collection, input, mode)
  if (result.ok) return result.values
  throw DataErrors.DATA_VALUE_INVALID(undefined, {
    field: result.issues[0]?.field ?? '',
    issues: result.issues,
  })
}

function keyUnavailable(err: unknown): unknown {
  return err instanceof KmsError
    ? DataErrors.DATA_KEY_UNAVAILABLE(undefined, { reason: err.reason })
    : err
}

/** The FieldRef binding a record's value: tenant, table, field key and record id (KMS-2). */
export function recordFieldRef(tenantId: string, recordId: string, fieldKey: string): FieldRef {
  return { tenantId, table: RECORDS_TABLE, column: fieldKey, rowId: recordId }
}

/** The HKDF info of a collection's blind-index key: apart from every field key's info. */
export function subjectIndexInfo(collectionId: string): string {
  return `${RECORDS_TABLE}.subject/${collectionId}`
}

/** What is indexed: NFC and trimmed; e-mail addresses also lower-cased. */
export function normalizeSubject(field: FieldDefinition, value: string): string {
  const text = value.normalize('NFC').trim()
  return field.type === 'email' ? text.toLowerCase() : text
}

/**
 * KMS-2, DATA-8: the blind index of a data-subject value under one tenant key version:
 * HMAC-SHA256 under a key derived from the tenant key for this collection only, so equal values
 * in two collections or two tenants give unrelated indexes and nothing about the value shows.
 */
export async function subjectIndexFor(
  keys: Keyring,
  tenantId: string,
  collection: Pick<Collection, 'id' | 'fields' | 'subjectField'>,
  value: string,
  version: number,
): Promise<Buffer> {
  const field = collection.fields.find((f) => f.key === collection.subjectField)
  if (!field) throw new TypeError('the collection has no data-subject field')
  const key = await keys
    .fieldKey(tenantId, version, subjectIndexInfo(collection.id))
    .catch((err: unknown) => {
      throw keyUnavailable(err)
    })
  try {
    return createHmac('sha256', key).update(normalizeSubject(field, value), 'utf8').digest()
  } finally {
    key.fill(0)
  }
}

/**
 * KMS-2: the stored form of checked values (nulls are skipped: an absent value is stored as no
 * key at all). Each personal or sensitive value is JSON, encrypted under the current tenant key
 * and bound to tenant, table, field key and record id, then base64 in `sealed`. The blind index
 * is computed when the values hold the collection's data-subject field.
 */
export async function sealRecord(
  keys: Keyring,
  tenantId: string,
  collection: Collection,
  recordId: string,
  values: RecordValues,
): Promise<{
  data: PlainValues
  sealed: SealedValues
  subjectIndex: Buffer | null
  subjectKeyVersion: number | null
}> {
  const data: PlainValues = {}
  const sealed: SealedValues = {}
  let subjectIndex: Buffer | null = null
  let subjectKeyVersion: number | null = null
  try {
    for (const field of collection.fields) {
      const value = Object.hasOwn(values, field.key) ? values[field.key] : undefined
      if (value === undefined || value === null) continue
      if (!isEncryptedClass(field.classification)) {
        data[field.key] = value
        continue
      }
      const ref = recordFieldRef(tenantId, recordId, field.key)
      sealed[field.key] = (await encryptField(keys, ref, JSON.stringify(value))).toString('base64')
      if (field.key === collection.subjectField && typeof value === 'string') {
        subjectKeyVersion = await keys.currentVersion(tenantId)
        subjectIndex = await subjectIndexFor(keys, tenantId, collection, value, subjectKeyVersion)
      }
    }
  } catch (err) {
    throw keyUnavailable(err)
  }
  return { data, sealed, subjectIndex, subjectKeyVersion }
}

/** A new record's row, ready to insert: a fresh id and `values` sealed, made by `createdBy`. */
export async function newRecordRow(
  keys: Keyring,
  tenantId: string,
  collection: Collection,
  values: RecordValues,
  createdBy: string | null,
): Promise<Insertable<RecordsTable> & { id: string }> {
  const id = randomUUID()
  const sealed = await sealRecord(keys, tenantId, collection, id, values)
  return {
    id,
    tenant_id: tenantId,
    collection_id: collection.id,
    data: JSON.stringify(sealed.data),
    sealed: JSON.stringify(sealed.sealed),
    subject_index: sealed.subjectIndex,
    subject_key_version: sealed.subjectKeyVersion,
    created_by: createdBy,
    updated_by: createdBy,
  }
}

/** One sealed value, decrypted; DATA_RECORD_UNREADABLE when it is not this record's and field's. */
export async function openSealedValue(
  keys: Keyring,
  tenantId: string,
  recordId: string,
  fieldKey: string,
  stored: unknown,
): Promise<RecordValue> {
  try {
    if (typeof stored !== 'string') throw new KmsError('ciphertext_malformed', 'not base64 text')
    const ref = recordFieldRef(tenantId, recordId, fieldKey)
    const parsed: unknown = JSON.parse(
      await decryptFieldText(keys, ref, Buffer.from(stored, 'base64')),
    )
    if (parsed !== null && typeof parsed === 'object') {
      throw new KmsError('ciphertext_malformed', 'not a field value')
    }
    return parsed as RecordValue
  } catch (err) {
    if (err instanceof KmsError) {
      if (err.reason === 'ciphertext_rejected' || err.reason === 'ciphertext_malformed') {
        throw DataErrors.DATA_RECORD_UNREADABLE(undefined, { recordId, field: fieldKey })
      }
      throw keyUnavailable(err)
    }
    throw err
  }
}

/**
 * Every field of the collection's current schema with its value (null when the record has none).
 * Values of fields no longer in the schema are never returned. Throws DATA_RECORD_UNREADABLE
 * when a sealed value fails its check (moved from another record, field or tenant, or altered).
 */
export async function openRecord(
  keys: Keyring,
  tenantId: string,
  collection: Collection,
  row: Pick<RecordRow, 'id' | 'data' | 'sealed'>,
): Promise<RecordValues> {
  const values: RecordValues = {}
  for (const field of collection.fields) {
    const { key } = field
    if (!isEncryptedClass(field.classification)) {
      values[key] = Object.hasOwn(row.data, key) ? (row.data[key] ?? null) : null
    } else if (Object.hasOwn(row.sealed, key)) {
      values[key] = await openSealedValue(keys, tenantId, row.id, key, row.sealed[key])
    } else {
      values[key] = null
    }
  }
  return values
}
