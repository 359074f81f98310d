// DATA-1: the rules of a collection's schema, as pure functions: a field list is checked and
// brought to its stored form here, and a new list is compared with the current one to tell what
// a PATCH changes. Type and classification of a field are fixed once chosen: changing either
// would reinterpret (or leave unencrypted) values already stored, so a new field is the way.
import { UNSAFE_TEXT } from '../../http/schemas.ts'
import { DataErrors } from './errors.ts'
import {
  CLASSIFICATIONS,
  type Classification,
  FIELD_KEY,
  FIELD_TYPES,
  type FieldDefinition,
  type FieldType,
  isEncryptedClass,
} from './fields.ts'

export const MAX_FIELDS = 100
export const MAX_LABEL_LENGTH = 100
export const MAX_OPTIONS = 100
export const MAX_OPTION_LENGTH = 100
export const MAX_NAME_LENGTH = 100
export const MAX_DESCRIPTION_LENGTH = 500

/** A field as a client sends it: `required` defaults to false, `options` is for enums only. */
export interface FieldInput {
  key: string
  label: string
  type: string
  classification: string
  required?: boolean | undefined
  options?: string[] | undefined
}

// A description may also span lines and hold tabs (taken out before the same test).
const DESCRIPTION_WHITESPACE = /[\t\n\r]/g
const DESCRIPTION_FORBIDDEN = /[\p{Cc}\p{Cs}\u202a-\u202e\u2066-\u2069]/u

function schemaInvalid(field: string | null, issue: string, message: string): never {
  throw DataErrors.DATA_SCHEMA_INVALID(message, { field, issue })
}

/** Single-line human text, trimmed and NFC: null unless it has 1..max allowed characters. */
function cleanLine(input: string, max: number): string | null {
  const text = input.trim().normalize('NFC')
  const length = [...text].length
  return length >= 1 && length <= max && !UNSAFE_TEXT.test(text) ? text : null
}

export function checkCollectionName(input: string): string {
  const name = cleanLine(input, MAX_NAME_LENGTH)
  if (name === null) throw DataErrors.DATA_COLLECTION_NAME_INVALID()
  return name
}

/** The form names are compared in: NFC, letter case folded (`Straße` and `STRASSE` alike). */
export function collectionNameKey(name: string): string {
  return name.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC')
}

/** The stored form of a description (trimmed, NFC; empty means none). */
export function checkCollectionDescription(input: string | null | undefined): string | null {
  if (input === null || input === undefined) return null
  const description = input.trim().normalize('NFC')
  if (
    [...description].length > MAX_DESCRIPTION_LENGTH ||
    DESCRIPTION_FORBIDDEN.test(description.replace(DESCRIPTION_WHITESPACE, ''))
  ) {
    throw DataErrors.DATA_COLLECTION_DESCRIPTION_INVALID()
  }
  return description === '' ? null : description
}

function checkField(input: FieldInput): FieldDefinition {
  const key = input.key
  if (typeof key !== 'string' || !FIELD_KEY.test(key)) {
    schemaInvalid(
      typeof key === 'string' && key.length <= 64 ? key : null,
      'key_invalid',
      'A field key is 1 to 63 characters: a lower-case letter, then lower-case letters, digits and _',
    )
  }
  const label = typeof input.label === 'string' ? cleanLine(input.label, MAX_LABEL_LENGTH) : null
  if (label === null) {
    schemaInvalid(key, 'label_invalid', `A label is single-line text of 1 to ${MAX_LABEL_LENGTH}`)
  }
  if (!(FIELD_TYPES as readonly string[]).includes(input.type)) {
    schemaInvalid(key, 'type_unknown', `A field type is one of ${FIELD_TYPES.join(', ')}`)
  }
  if (!(CLASSIFICATIONS as readonly string[]).includes(input.classification)) {
    schemaInvalid(
      key,
      'classification_unknown',
      `A classification is one of ${CLASSIFICATIONS.join(', ')}`,
    )
  }
  const type = input.type as FieldType
  const field: FieldDefinition = {
    key,
    label,
    type,
    classification: input.classification as Classification,
    required: input.required === true,
  }
  if (type === 'enum') field.options = checkOptions(key, input.options)
  else if (input.options !== undefined) {
    schemaInvalid(key, 'options_not_allowed', 'Only enum fields have options')
  }
  return field
}

function checkOptions(key: string, input: unknown): string[] {
  if (!Array.isArray(input) || input.length < 1 || input.length > MAX_OPTIONS) {
    schemaInvalid(key, 'options_invalid', `An enum field has 1 to ${MAX_OPTIONS} options`)
  }
  const options: string[] = []
  for (const raw of input) {
    const option = typeof raw === 'string' ? cleanLine(raw, MAX_OPTION_LENGTH) : null
    if (option === null) {
      schemaInvalid(
        key,
        'option_invalid',
        `An option is single-line text of 1 to ${MAX_OPTION_LENGTH} characters`,
      )
    }
    if (options.includes(option)) {
      schemaInvalid(key, 'option_duplicate', 'The options of an enum field are unique')
    }
    options.push(option)
  }
  return options
}

/**
 * The stored form of a field list and its data-subject field. The subject field names a person,
 * so it must be personal or sensitive (stored encrypted, found through the blind index), of type
 * text or email. Throws DATA_SCHEMA_INVALID naming the field and the rule it breaks.
 */
export function checkSchema(
  input: readonly FieldInput[],
  subjectField: string | null | undefined,
): { fields: FieldDefinition[]; subjectField: string | null } {
  if (!Array.isArray(input) || input.length < 1 || input.length > MAX_FIELDS) {
    schemaInvalid(null, 'field_count', `A collection has 1 to ${MAX_FIELDS} fields`)
  }
  const fields: FieldDefinition[] = []
  const keys = new Set<string>()
  for (const raw of input) {
    const field = checkField(raw)
    if (keys.has(field.key)) schemaInvalid(field.key, 'key_duplicate', 'Field keys are unique')
    keys.add(field.key)
    fields.push(field)
  }
  if (subjectField === null || subjectField === undefined) return { fields, subjectField: null }
  const subject = fields.find((f) => f.key === subjectField)
  if (!subject) {
    schemaInvalid(
      FIELD_KEY.test(subjectField) ? subjectField : null,
      'subject_unknown',
      'subjectField names one of the fields',
    )
  }
  if (!isEncryptedClass(subject.classification) || !['text', 'email'].includes(subject.type)) {
    schemaInvalid(
      subject.key,
      'subject_not_personal',
      'The data-subject field is a personal or sensitive field of type text or email',
    )
  }
  return { fields, subjectField: subject.key }
}

export interface SchemaChange {
  /** Whether the field list or subject field differ at all (a new schema version). */
  changed: boolean
  added: string[]
  removed: string[]
  /** Kept fields whose label, `required`, options or place among the kept fields changed. */
  altered: string[]
}

function sameField(a: FieldDefinition, b: FieldDefinition): boolean {
  return (
    a.label === b.label &&
    a.required === b.required &&
    JSON.stringify(a.options ?? null) === JSON.stringify(b.options ?? null)
  )
}

/**
 * What a new schema changes. Refuses (DATA_FIELD_CHANGE_REFUSED) a kept field whose type or
 * classification differs, and a subject field moved to a field that already holds values (its
 * blind indexes would be missing): a new field serves in both cases.
 */
export function compareSchemas(
  current: { fields: readonly FieldDefinition[]; subjectField: string | null },
  next: { fields: readonly FieldDefinition[]; subjectField: string | null },
): SchemaChange {
  const before = new Map(current.fields.map((f) => [f.key, f]))
  const after = new Map(next.fields.map((f) => [f.key, f]))
  const added = next.fields.filter((f) => !before.has(f.key)).map((f) => f.key)
  const removed = current.fields.filter((f) => !after.has(f.key)).map((f) => f.key)
  const altered: string[] = []
  // Order is compared among kept fields only: a removal or an addition moves no other field.
  const keptBefore = current.fields.filter((f) => after.has(f.key)).map((f) => f.key)
  const keptAfter = next.fields.filter((f) => before.has(f.key))
  keptAfter.forEach((field, position) => {
    const old = before.get(field.key) as FieldDefinition
    if (old.type !== field.type || old.classification !== field.classification) {
      throw DataErrors.DATA_FIELD_CHANGE_REFUSED(undefined, { field: field.key })
    }
    if (!sameField(old, field) || keptBefore[position] !== field.key) altered.push(field.key)
  })
  if (
    next.subjectField !== null &&
    next.subjectField !== current.subjectField &&
    !added.includes(next.subjectField)
  ) {
    throw DataErrors.DATA_FIELD_CHANGE_REFUSED(
      'Only a field added in the same change can become the data-subject field: its records have no blind index yet',
      { field: next.subjectField },
    )
  }
  const changed =
    added.length > 0 ||
    removed.length > 0 ||
    altered.length > 0 ||
    next.subjectField !== current.subjectField
  return { changed, added, removed, altered }
}
