// Shapes of the data API's answers the Data screens read (src/modules/data/*.routes.ts, docs/data.md).

export {
  CLASSIFICATIONS,
  type Classification,
  type Collection,
  collectionPath,
  FIELD_TYPES,
  type FieldDefinition,
  type FieldType,
} from '../../api/collections.ts'

import type { FieldDefinition } from '../../api/collections.ts'

export interface SchemaVersion {
  version: number
  fields: FieldDefinition[]
  subjectField: string | null
  changedBy: string | null
  changedAt: string
}

export type Value = string | number | boolean | null

export interface DataRecord {
  id: string
  collectionId: string
  revision: number
  values: Record<string, Value>
  createdBy: string | null
  createdAt: string
  updatedBy: string | null
  updatedAt: string
}

export interface DeletedItem {
  type: 'collection' | 'record'
  id: string
  collectionId: string
  collectionName: string
  collectionDeleted: boolean
  deletedAt: string
  deletedBy: string | null
  purgeAfter: string
}

export interface ImportIssue {
  row: number
  field: string | null
  code: string
  message: string
}

export interface ImportReport {
  format: 'csv' | 'json' | 'ndjson'
  atomic: boolean
  received: number
  imported: number
  rejected: number
  batches: number
  settledThroughRow: number
  issues: ImportIssue[]
  issuesTruncated: boolean
}

/** KMS-2: personal and sensitive values exist only encrypted, so the database cannot query them. */
export function isEncrypted(field: Pick<FieldDefinition, 'classification'>): boolean {
  return field.classification === 'personal' || field.classification === 'sensitive'
}

/** DATA-8: the data-subject field is a personal or sensitive text or e-mail field. */
export function canBeSubject(field: Pick<FieldDefinition, 'classification' | 'type'>): boolean {
  return isEncrypted(field) && (field.type === 'text' || field.type === 'email')
}
