// AUTHZ-4: how reviews and their items leave the service: the API's and the evidence's shape.
import type { UserRole } from '../identity/users.table.ts'
import type {
  AccessDecision,
  AccessReviewItemRow,
  AccessReviewRow,
  AccessReviewStatus,
} from './access-reviews.table.ts'

export interface AccessReview {
  id: string
  status: AccessReviewStatus
  /** `schedule` when the organisation's schedule opened it, `manual` when a reviewer did. */
  trigger: 'manual' | 'schedule'
  openedBy: string | null
  openedAt: string
  dueAt: string
  /** Still open after its due date. */
  overdue: boolean
  completedAt: string | null
  completedBy: string | null
  counts: { users: number; kept: number; revoked: number; undecided: number }
}

export interface AccessReviewItem {
  userId: string
  email: string
  role: UserRole
  /** The account's status when the review was opened. */
  status: 'active' | 'deactivated'
  createdAt: string
  groups: string[]
  lastSignInAt: string | null
  mfa: {
    /** A primary factor (authenticator app or passkey) is set up. */
    enabled: boolean
    totp: boolean
    passkeys: number
    recoveryCodes: number
  }
  devices: {
    liveSessions: number
    lastSeenAt: string | null
    knownDevices: number
    liveApiKeys: number
  }
  decision: AccessDecision | null
  decidedBy: string | null
  decidedAt: string | null
  note: string | null
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null)

export function toReview(row: AccessReviewRow, now: Date = new Date()): AccessReview {
  return {
    id: row.id,
    status: row.status,
    trigger: row.opened_by ? 'manual' : 'schedule',
    openedBy: row.opened_by,
    openedAt: row.opened_at.toISOString(),
    dueAt: row.due_at.toISOString(),
    overdue: row.status === 'open' && row.due_at.getTime() <= now.getTime(),
    completedAt: iso(row.completed_at),
    completedBy: row.completed_by,
    counts: {
      users: row.item_count,
      kept: row.kept_count,
      revoked: row.revoked_count,
      undecided: row.item_count - row.kept_count - row.revoked_count,
    },
  }
}

export function toItem(row: AccessReviewItemRow): AccessReviewItem {
  return {
    userId: row.user_id,
    email: row.email,
    role: row.role,
    status: row.user_status,
    createdAt: row.user_created_at.toISOString(),
    groups: row.group_names,
    lastSignInAt: iso(row.last_sign_in_at),
    mfa: {
      enabled: row.mfa_totp || row.mfa_passkeys > 0,
      totp: row.mfa_totp,
      passkeys: row.mfa_passkeys,
      recoveryCodes: row.mfa_recovery_codes,
    },
    devices: {
      liveSessions: row.live_sessions,
      lastSeenAt: iso(row.last_seen_at),
      knownDevices: row.known_devices,
      liveApiKeys: row.live_api_keys,
    },
    decision: row.decision,
    decidedBy: row.decided_by,
    decidedAt: iso(row.decided_at),
    note: row.note,
  }
}
