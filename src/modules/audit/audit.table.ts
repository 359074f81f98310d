import type { Generated, Selectable } from 'kysely'

/** Size and frontier (roots of the complete subtrees, left to right) of one tenant's log. */
export interface AuditHeadsTable {
  tenant_id: string
  size: string
  frontier: Buffer[]
}

export interface AuditEntriesTable {
  tenant_id: string
  /** Leaf index in the tenant's log, from 0. bigint, returned as a string. */
  idx: string
  leaf_hash: Buffer
  /** The canonical event text, exactly as hashed. */
  event: string
  created_at: Generated<Date>
}

export interface AuditNodesTable {
  tenant_id: string
  level: number
  idx: string
  hash: Buffer
}

export interface AuditCheckpointsTable {
  tenant_id: string
  size: string
  root: Buffer
  signed_at: Date
  key_id: string
  signature: Buffer
}

export type AuditEntryRow = Selectable<AuditEntriesTable>
