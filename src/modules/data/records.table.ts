import type { ColumnType, Generated, Selectable } from 'kysely'

type JsonObject<T> = ColumnType<T, string | undefined, string>

/** Public and internal values by field key (JSON types: string, number, boolean). */
export type PlainValues = Record<string, string | number | boolean>

/** KMS-2: personal and sensitive values by field key, each base64 field ciphertext. */
export type SealedValues = Record<string, string>

/** DATA-1: one record of a collection. */
export interface RecordsTable {
  id: string
  tenant_id: string
  collection_id: string
  data: JsonObject<PlainValues>
  sealed: JsonObject<SealedValues>
  /** HMAC-SHA256 blind index of the normalised data-subject value, under a tenant-derived key. */
  subject_index: Uint8Array | null
  /** The tenant key version the blind-index key was derived from. */
  subject_key_version: number | null
  /** 1 when created, plus one per update (optimistic concurrency). */
  revision: Generated<number>
  created_by: string | null
  created_at: Generated<Date>
  updated_by: string | null
  updated_at: Generated<Date>
  /** DATA-4: set while locked (deleted, restorable); purged for good after purge_after. */
  deleted_at: Date | null
  deleted_by: string | null
  purge_after: Date | null
}

export type RecordRow = Selectable<RecordsTable>
