// Collections as the data API describes them (src/modules/data/*.routes.ts, docs/data.md): the
// one definition the Data and Dashboards screens share, and the list both read.
import { type Loaded, useApi } from './use-api.ts'

export const FIELD_TYPES = ['text', 'number', 'boolean', 'date', 'email', 'enum'] as const
export type FieldType = (typeof FIELD_TYPES)[number]

export const CLASSIFICATIONS = ['public', 'internal', 'personal', 'sensitive'] as const
export type Classification = (typeof CLASSIFICATIONS)[number]

export interface FieldDefinition {
  key: string
  label: string
  type: FieldType
  classification: Classification
  required: boolean
  options?: string[]
}

/** The name the dashboard screens use for a collection's field. */
export type CollectionField = FieldDefinition

export interface Collection {
  id: string
  name: string
  description: string | null
  schemaVersion: number
  fields: FieldDefinition[]
  subjectField: string | null
  createdAt: string
  updatedAt: string
}

export const collectionPath = (id: string) => `/api/v1/collections/${encodeURIComponent(id)}`

/** The collections the signed-in user may see (all of them with data.manage). */
export function useCollections(): Loaded<{ collections: Collection[] }> {
  return useApi<{ collections: Collection[] }>('/api/v1/collections')
}
