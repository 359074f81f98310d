// DATA-1: the field model of a collection. Every field has a type and a classification; the
// classification decides where its values live (KMS-2): public and internal values in the
// record's `data` (filterable, sortable, usable by dashboards), personal and sensitive ones only
// as ciphertext in `sealed` (never filtered, sorted or aggregated by the database).

export const FIELD_TYPES = ['text', 'number', 'boolean', 'date', 'email', 'enum'] as const
export type FieldType = (typeof FIELD_TYPES)[number]

export const CLASSIFICATIONS = ['public', 'internal', 'personal', 'sensitive'] as const
export type Classification = (typeof CLASSIFICATIONS)[number]

/**
 * A field's machine name: the key of its value in `data` / `sealed`, and what audit events list
 * (LOG-6 admits exactly this pattern). Chosen once; the label is what people read.
 */
export const FIELD_KEY = /^[a-z][a-z0-9_]{0,62}$/

export interface FieldDefinition {
  key: string
  label: string
  type: FieldType
  classification: Classification
  required: boolean
  /** enum only: the allowed values, in display order. */
  options?: string[]
}

/** Whether values of this classification are stored only encrypted (KMS-2). */
export function isEncryptedClass(classification: Classification): boolean {
  return classification === 'personal' || classification === 'sensitive'
}

/** Fields the database may filter, sort and aggregate on: public and internal only. */
export function isQueryable(field: FieldDefinition): boolean {
  return !isEncryptedClass(field.classification)
}
