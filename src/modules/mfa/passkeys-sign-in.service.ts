// IAM-4, IAM-6: passwordless sign-in with a passkey. The organisation is named by its slug, the
// user by the discoverable credential the authenticator picked; the session is issued by the same
// steps as a password sign-in (session, device cookie, new-device notice). IAM-3: a refusal gives
// the one answer every sign-in refusal gives, and an unknown organisation looks like a known one.

import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import { generateAuthenticationOptions } from '@simplewebauthn/server'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { withTenantBySlug } from '../../db/tenant.ts'
import { eventOrigin, recordEvent, recordPlatformEvent } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import { IdentityErrors } from '../identity/errors.ts'
import { type IssuedSession, newAttempt, type SessionAttempt } from '../identity/sign-in/attempt.ts'
import { checkIpAllowlistBeforeSession } from '../identity/sign-in/check-ip-allowlist.ts'
import { issueSession } from '../identity/sign-in/issue-session.ts'
import { notifyNewDevice } from '../identity/sign-in/notify-new-device.ts'
import { rememberDevice } from '../identity/sign-in/remember-device.ts'
import { runSteps, type SignInStep } from '../identity/sign-in/steps.ts'
import { findKnownDevice } from '../identity/sign-in-guards.repository.ts'
import { hashToken } from '../identity/tokens.ts'
import { findUserById } from '../identity/users.repository.ts'
import type { UserRow } from '../identity/users.table.ts'
import { CHALLENGE_TTL_MS, decoyChallenge } from './passkeys.challenges.ts'
import { relyingParty } from './passkeys.relying-party.ts'
import {
  type PasskeyChallenge,
  startPasskeyAuthentication,
  verifyPasskeyAssertion,
} from './passkeys.service.ts'

/** After the passkey: what a password sign-in does once the password and any factor are right. */
const SESSION_STEPS: readonly SignInStep<SessionAttempt>[] = [
  // IAM-8: the organisation's IP allowlist, as for a password sign-in.
  { name: 'check-ip-allowlist', run: checkIpAllowlistBeforeSession('password') },
  { name: 'issue-session', run: issueSession },
  { name: 'remember-device', run: rememberDevice },
  { name: 'notify-new-device', run: notifyNewDevice },
]

/**
 * RFC 8176: hwk, proof of possession of a key; mfa, because the authenticator verified the user
 * (PIN or biometrics, required here), so the one gesture is two factors.
 */
const PASSKEY_AMR = ['hwk', 'mfa']

export async function passkeySignInOptions(
  ctx: ServiceContext,
  slug: string,
): Promise<PasskeyChallenge<PublicKeyCredentialRequestOptionsJSON>> {
  const tenantId = await withTenantBySlug(ctx.db, slug, async (_trx, id) => id)
  if (tenantId) return startPasskeyAuthentication(ctx, tenantId, null)
  // IAM-3: the same options (no credentials are listed either way) around a challenge that
  // opens nowhere, so the answer does not tell which slugs exist.
  const decoy = decoyChallenge('authentication')
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(ctx.config).id,
    challenge: decoy.bytes,
    timeout: CHALLENGE_TTL_MS,
    userVerification: 'required',
    allowCredentials: [],
  })
  return { challengeId: decoy.challengeId, options }
}

export interface PasskeySignInInput {
  tenant: string
  challengeId: string
  response: unknown
  /** The device cookie of an earlier sign-in from this browser, if presented. */
  deviceToken?: string | undefined
}

function refusal(reason: string, userId: string | null, meta: RequestMeta): AuditEvent {
  return {
    category: 'iam',
    action: 'session.create',
    outcome: 'failure',
    reason,
    actor: userId ? { type: 'user', id: userId } : { type: 'anonymous' },
    ...eventOrigin(meta),
  }
}

type Verdict =
  | { ok: true; tenantId: string; user: UserRow; deviceId: string | null }
  | { ok: false; tenantId: string | null }

export async function signInWithPasskey(
  ctx: ServiceContext,
  input: PasskeySignInInput,
  meta: RequestMeta,
): Promise<IssuedSession> {
  // One transaction that commits whatever the answer: the spent challenge, the passkey's counter
  // and every audit event stay, refusals included (see verifyPasskeyAssertion).
  const verdict = await withTenantBySlug(
    ctx.db,
    input.tenant,
    async (trx, tenantId): Promise<Verdict> => {
      if (!tenantId) return { ok: false, tenantId: null }
      const userId = await verifyPasskeyAssertion(ctx, trx, tenantId, {
        challengeId: input.challengeId,
        response: input.response,
        expectedUserId: null,
        meta,
      })
      const user = userId ? await findUserById(trx, tenantId, userId) : undefined
      if (user?.status !== 'active') {
        const reason = !userId ? 'invalid_passkey' : 'user_inactive'
        await recordEvent(trx, tenantId, refusal(reason, userId, meta))
        return { ok: false, tenantId }
      }
      // IAM-3: a browser that signed in before keeps its device cookie and counter.
      const deviceId = input.deviceToken
        ? await findKnownDevice(trx, tenantId, user.id, hashToken(input.deviceToken))
        : null
      return { ok: true, tenantId, user, deviceId }
    },
  )
  if (!verdict.ok) {
    if (!verdict.tenantId) await recordPlatformEvent(ctx.db, refusal('unknown_tenant', null, meta))
    throw IdentityErrors.IDENTITY_INVALID_CREDENTIALS()
  }
  const attempt: SessionAttempt = {
    ...newAttempt(meta),
    tenantId: verdict.tenantId,
    user: verdict.user,
    guard: verdict.deviceId ? { kind: 'device', deviceId: verdict.deviceId } : null,
    amr: PASSKEY_AMR,
  }
  await runSteps(ctx, SESSION_STEPS, attempt)
  if (!attempt.issued) throw new Error('passkey sign-in finished without a session')
  return attempt.issued
}
