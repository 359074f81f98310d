import type { Generated, Insertable, Selectable } from 'kysely'

export type TransferStatus = 'pending' | 'accepted' | 'declined' | 'cancelled' | 'expired'

/** IAM-7: an owner's offer to hand ownership to another user, who must accept it. */
export interface OwnershipTransfersTable {
  id: string
  tenant_id: string
  from_user_id: string
  to_user_id: string
  status: Generated<TransferStatus>
  created_at: Generated<Date>
  expires_at: Date
  /** When it stopped being pending, and who closed it (null for expiry). */
  closed_at: Generated<Date | null>
  closed_by: Generated<string | null>
}

export type OwnershipTransferRow = Selectable<OwnershipTransfersTable>
export type NewOwnershipTransferRow = Insertable<OwnershipTransfersTable>
