// Shapes of the security APIs the admin security screens read (the OpenAPI document at /docs/json
// is the source): the IP allowlist (IAM-8), API keys (IAM-9), access reviews (AUTHZ-4) and the
// MFA policy (IAM-4).

export interface AllowlistEntry {
  id: string
  cidr: string
  label: string | null
  createdBy: string | null
  createdAt: string
}

export interface ApiKey {
  id: string
  name: string
  prefix: string
  userId: string
  permissions: string[]
  createdAt: string
  expiresAt: string
  lastUsedAt: string | null
  lastUsedIp: string | null
  revokedAt: string | null
  status: 'active' | 'expired' | 'revoked'
}

export interface AccessReviewSchedule {
  intervalDays: number
  organisationIntervalDays: number | null
  maxIntervalDays: number
  dueDays: number
  lastOpenedAt: string | null
  nextReviewAt: string | null
  openReviewId: string | null
}

export interface AccessReview {
  id: string
  status: 'open' | 'completed'
  trigger: 'manual' | 'schedule'
  openedBy: string | null
  openedAt: string
  dueAt: string
  overdue: boolean
  completedAt: string | null
  completedBy: string | null
  counts: { users: number; kept: number; revoked: number; undecided: number }
}

export type ReviewDecision = 'keep' | 'revoke'

export interface AccessReviewItem {
  userId: string
  email: string
  role: string
  status: string
  createdAt: string
  groups: string[]
  lastSignInAt: string | null
  mfa: { enabled: boolean; totp: boolean; passkeys: number; recoveryCodes: number }
  devices: {
    liveSessions: number
    lastSeenAt: string | null
    knownDevices: number
    liveApiKeys: number
  }
  decision: ReviewDecision | null
  decidedBy: string | null
  decidedAt: string | null
  note: string | null
}

export type MfaPolicy = 'optional' | 'admins' | 'all'

export interface MfaPolicyState {
  policy: MfaPolicy
  usersWithoutRequiredMfa: number
}
