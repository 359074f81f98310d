import type { Generated, Insertable, Selectable } from 'kysely'

/** IAM-8: one CIDR range of an organisation's IP allowlist; `cidr` is normalised. */
export interface IpAllowlistEntriesTable {
  id: string
  tenant_id: string
  cidr: string
  label: string | null
  /** The user who saved the list; null once that user is removed. */
  created_by: string | null
  created_at: Generated<Date>
}

export type IpAllowlistEntryRow = Selectable<IpAllowlistEntriesTable>
export type NewIpAllowlistEntryRow = Insertable<IpAllowlistEntriesTable>
