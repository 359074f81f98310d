import type { Generated, Insertable, Selectable } from 'kysely'
import type { UserRole } from '../identity/users.table.ts'

/** AUTHZ-4: an organisation's review schedule; no row means the default interval. */
export interface AccessReviewSettingsTable {
  tenant_id: string
  interval_days: number
  updated_by: string | null
  updated_at: Generated<Date>
}

export type AccessReviewStatus = 'open' | 'completed'
export type AccessDecision = 'keep' | 'revoke'

/** AUTHZ-4: one review; user ids carry no foreign keys, so evidence outlives the accounts. */
export interface AccessReviewsTable {
  id: string
  tenant_id: string
  status: Generated<AccessReviewStatus>
  /** Null when the schedule opened it. */
  opened_by: string | null
  opened_at: Date
  due_at: Date
  completed_at: Date | null
  completed_by: string | null
  /** The last overdue reminder, sent at most once a day. */
  reminded_at: Date | null
  item_count: number
  kept_count: Generated<number>
  revoked_count: Generated<number>
}

/** One user as the review found them, and the reviewer's decision. */
export interface AccessReviewItemsTable {
  tenant_id: string
  review_id: string
  user_id: string
  email: string
  role: UserRole
  /** The account's status when the snapshot was taken. */
  user_status: 'active' | 'deactivated'
  user_created_at: Date
  group_names: string[]
  last_sign_in_at: Date | null
  /** A confirmed authenticator app. */
  mfa_totp: boolean
  mfa_passkeys: number
  /** Unused recovery codes. */
  mfa_recovery_codes: number
  /** Sessions neither revoked nor past a timeout. */
  live_sessions: number
  /** The latest activity of any of the user's sessions. */
  last_seen_at: Date | null
  known_devices: number
  /** IAM-9: unrevoked, unexpired API keys acting for the user. */
  live_api_keys: number
  decision: AccessDecision | null
  decided_by: string | null
  decided_at: Date | null
  note: string | null
}

export type AccessReviewRow = Selectable<AccessReviewsTable>
export type NewAccessReviewRow = Insertable<AccessReviewsTable>
export type AccessReviewItemRow = Selectable<AccessReviewItemsTable>
