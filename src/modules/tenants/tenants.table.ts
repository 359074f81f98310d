import type { Generated, Insertable, Selectable } from 'kysely'

export interface TenantsTable {
  id: string
  slug: string
  name: string
  /** DATA-6: the region the organisation chose at sign-up; its data lives there. */
  region: string
  status: Generated<'active' | 'suspended' | 'terminated'>
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export type TenantRow = Selectable<TenantsTable>
export type NewTenantRow = Insertable<TenantsTable>
