// IAM-1, IAM-3: what the sign-in steps share, and the one way an attempt is refused.
import type { RequestMeta, ServiceContext } from '../../../context.ts'
import { eventOrigin, recordEventAlone, recordPlatformEvent } from '../../audit/audit.service.ts'
import type { AuditEvent } from '../../audit/events.ts'
import { IdentityErrors } from '../errors.ts'
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
  /** A new device cookie to set (the first successful sign-in from this browser). */
  deviceToken?: string
}

/** The attempt as it moves through the steps; each step fills in what it learns. */
export interface SignInAttempt {
  input: SignInInput
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
  issued: IssuedSession | null
}

/** Why an attempt was refused; recorded, never shown: the caller always gets the same answer. */
export type RefusalReason =
  | 'unknown_tenant'
  | 'unknown_user'
  | 'user_inactive'
  | 'ip_not_allowed'
  | 'account_locked'
  | 'invalid_password'

/**
 * LOG-1, IAM-3: records the refusal (in the organisation's log when there is one, else the
 * platform's) and returns the one error every refusal gives.
 */
export async function refuse(
  ctx: ServiceContext,
  attempt: SignInAttempt,
  reason: RefusalReason,
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
  return IdentityErrors.IDENTITY_INVALID_CREDENTIALS()
}
