import type { ColumnType, Generated, Selectable } from 'kysely'
import type { FieldDefinition } from './fields.ts'

/** jsonb holding the field definitions (an array), written as JSON text. */
type FieldsColumn = ColumnType<FieldDefinition[], string, string>

/** DATA-1: a collection and its current schema. */
export interface CollectionsTable {
  id: string
  tenant_id: string
  name: string
  /** Lower-cased, NFC-normalised name: unique among live collections of a tenant. */
  name_normalized: string
  description: string | null
  schema_version: Generated<number>
  fields: FieldsColumn
  /** Key of the field that names the data subject (blind-indexed), if any. */
  subject_field: string | null
  created_by: string | null
  created_at: Generated<Date>
  updated_at: Generated<Date>
  /** DATA-4: set while locked (deleted, restorable); purged for good after purge_after. */
  deleted_at: Date | null
  deleted_by: string | null
  purge_after: Date | null
}

/** Every schema a collection has had; rows are only ever added. */
export interface CollectionVersionsTable {
  tenant_id: string
  collection_id: string
  version: number
  fields: FieldsColumn
  subject_field: string | null
  changed_by: string | null
  changed_at: Generated<Date>
}

export type CollectionRow = Selectable<CollectionsTable>
export type CollectionVersionRow = Selectable<CollectionVersionsTable>
