import type { Generated, Insertable, Selectable } from 'kysely'

export type MfaPolicy = 'optional' | 'admins' | 'all'

export type TenantStatus = 'active' | 'suspended' | 'pending_deletion' | 'terminated'

export interface TenantsTable {
  id: string
  slug: string
  name: string
  /** DATA-6: the region the organisation chose at sign-up; its data lives there. */
  region: string
  /** KMS-5, DATA-4: `pending_deletion` is locked (nobody signs in); `terminated` a tombstone. */
  status: Generated<TenantStatus>
  /** IAM-4: who must use a second factor: nobody, owners and admins, or everyone. */
  mfa_policy: Generated<MfaPolicy>
  created_at: Generated<Date>
  updated_at: Generated<Date>
  /** KMS-5: when `rampart tenant shred` was asked for, and when the deletion becomes due. */
  deletion_requested_at: Generated<Date | null>
  deletion_due_at: Generated<Date | null>
  /** What a cancelled deletion returns the tenant to. */
  status_before_deletion: Generated<'active' | 'suspended' | null>
  /** Set once completion began (the key is being shredded): no cancel after this. */
  deletion_started_at: Generated<Date | null>
  /** When the key was shredded and the rows deleted. */
  deleted_at: Generated<Date | null>
}

export type TenantRow = Selectable<TenantsTable>
export type NewTenantRow = Insertable<TenantsTable>
