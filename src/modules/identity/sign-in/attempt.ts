// IAM-1, IAM-3: what the sign-in steps share, and the one way an attempt is refused.
import type { RequestMeta, ServiceContext } from '../../../context.ts'
import { eventOrigin, recordEventAlone, recordPlatformEvent } from '../../audit/audit.service.ts'
import type { AuditEvent } from '../../audit/events.ts'
import type { SecondFactor } from '../../mfa/factors.ts'
import { IdentityErrors } from '../errors.ts'
import type { SessionScope } from '../sessions.table.ts'
import type { GuardRef } from '../sign-in-guards.repository.ts'
import type { UserRow } from '../users.table.ts'

export interface SignInInput {
  tenant: string
  email: string
  password: string
  /** The device cookie of an earlier successful sign-in from this browser, if presented. */
  deviceToken?: string | undefined
}

export interface IssuedSession {
  token: string
  sessionId: string
  expiresAt: Date
  /** IAM-4: `mfa_enrolment` when the tenant's policy wants a factor this user has not enrolled. */
  scope: SessionScope
  /** A new device cookie to set (the first successful sign-in from this browser). */
  deviceToken?: string
}

/** IAM-4: the password was right; the sign-in continues with a second factor. */
export interface IssuedChallenge {
  token: string
  expiresAt: Date
  methods: SecondFactor[]
}

export type SignInResult =
  | { kind: 'session'; session: IssuedSession }
  | { kind: 'mfa'; challenge: IssuedChallenge }

/**
 * What every way of reaching a session shares (password, second factor, passkey): who it is, the
 * counter it was charged to, and what the session-issuing steps fill in.
 */
export interface SessionAttempt {
  meta: RequestMeta
  /** The organisation, once resolved; null when the slug matched none. */
  tenantId: string | null
  user: UserRow | undefined
  /** The counter this attempt was charged to (IAM-3). */
  guard: GuardRef | null
  /** This attempt's number on that counter. */
  attemptNumber: number | null
  /** A new argon2id hash when the stored one used weaker parameters (IAM-2). */
  rehashed: string | null
  /** How the user proved who they are, by RFC 8176 names (pwd, otp, swk, hwk). */
  amr: string[]
  /** IAM-4: the session's reach; set by require-mfa. */
  scope: SessionScope
  issued: IssuedSession | null
}

/** The password attempt as it moves through the steps; each step fills in what it learns. */
export interface SignInAttempt extends SessionAttempt {
  input: SignInInput
  /** IAM-8: the organisation's allowlist ranges, read by resolve-tenant with the user. */
  ipRanges: string[]
  /** Set by require-mfa when a second factor must follow; the steps after it do not run. */
  challenge: IssuedChallenge | null
}

/** A fresh attempt with nothing learnt yet. */
export function newAttempt(meta: RequestMeta): SessionAttempt {
  return {
    meta,
    tenantId: null,
    user: undefined,
    guard: null,
    attemptNumber: null,
    rehashed: null,
    amr: [],
    scope: 'full',
    issued: null,
  }
}

/** Why an attempt was refused; recorded, never shown: the caller always gets the same answer. */
export type RefusalReason =
  | 'unknown_tenant'
  | 'unknown_user'
  | 'user_inactive'
  | 'ip_not_allowed'
  | 'account_locked'
  | 'invalid_password'
  | 'invalid_second_factor'
  | 'unknown_challenge'

/**
 * LOG-1, IAM-3: records the refusal (in the organisation's log when there is one, else the
 * platform's) and returns the one error every refusal of that stage gives: the password stage
 * never tells which part was wrong, the second-factor stage never tells a wrong code from a lock.
 */
export async function refuse(
  ctx: ServiceContext,
  attempt: SessionAttempt,
  reason: RefusalReason,
  stage: 'password' | 'second_factor' = 'password',
): Promise<Error> {
  const event: AuditEvent = {
    category: 'iam',
    action: 'session.create',
    outcome: 'failure',
    reason,
    actor: attempt.user ? { type: 'user', id: attempt.user.id } : { type: 'anonymous' },
    ...eventOrigin(attempt.meta),
  }
  if (attempt.tenantId) await recordEventAlone(ctx.db, attempt.tenantId, event)
  else await recordPlatformEvent(ctx.db, event)
  return stage === 'password'
    ? IdentityErrors.IDENTITY_INVALID_CREDENTIALS()
    : IdentityErrors.IDENTITY_SECOND_FACTOR_INVALID()
}
