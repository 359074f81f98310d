// IAM-4: WebAuthn passkeys with @simplewebauthn/server. Registration for the signed-in user, and
// the two primitives sign-in uses: startPasskeyAuthentication and verifyPasskeyAssertion.
// Challenges are single use and live five minutes (passkeys.challenges.ts); a credential is
// accepted only from this organisation, for the user it was issued to, from the public URL's
// origin and host name, with a signature counter that never goes back. LOG-1: registration,
// removal, every use and every failure are audited in the same transaction, with ids only.

import { randomUUID } from 'node:crypto'
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { type Trx, withTenant } from '../../db/tenant.ts'
import { eventOrigin, recordEvent } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import { revokeUserSessions } from '../identity/devices.service.ts'
import { upgradeEnrolmentSession } from '../identity/sessions.repository.ts'
import type { SessionPrincipal } from '../identity/sessions.service.ts'
import { MfaErrors } from './errors.ts'
import { assertPolicyAllowsRemoval } from './factors.ts'
import {
  CHALLENGE_TTL_MS,
  type ChallengeClaims,
  issueChallenge,
  openChallenge,
} from './passkeys.challenges.ts'
import { relyingParty, userHandleOf } from './passkeys.relying-party.ts'
import {
  countPasskeys,
  deletePasskey,
  findPasskeyByCredentialId,
  insertPasskey,
  listPasskeys,
  lockUserPasskeys,
  type PasskeySummaryRow,
  recordPasskeyUse,
  spendChallenge,
} from './passkeys.repository.ts'

/** Enough for every device a person uses, few enough that a listing stays short. */
export const MAX_PASSKEYS_PER_USER = 20
const NAME_MAX = 64
/** Control characters, lone surrogates and bidirectional overrides cannot be part of a name. */
const NAME_FORBIDDEN = /[\p{Cc}\p{Cs}\u202A-\u202E\u2066-\u2069]/u
/** WebAuthn's AuthenticatorTransport values; anything else a client sends is dropped. */
const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'])
/** Credential ids of 16 to 1023 bytes (WebAuthn 5.4.3), base64url without padding. */
const CREDENTIAL_ID = /^[A-Za-z0-9_-]{22,1364}$/
const MAX_PUBLIC_KEY_BYTES = 2048

export interface PasskeySummary {
  id: string
  name: string
  transports: string[]
  createdAt: string
  lastUsedAt: string | null
}

export interface PasskeyChallenge<Options> {
  /** Sent back with the authenticator's response. */
  challengeId: string
  options: Options
}

function summary(row: PasskeySummaryRow): PasskeySummary {
  return {
    id: row.id,
    name: row.name,
    transports: row.transports,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
  }
}

/** The name as stored (NFC, trimmed), or null when it cannot be one. */
export function normalisePasskeyName(input: string): string | null {
  const name = input.normalize('NFC').trim()
  const length = [...name].length
  if (length < 1 || length > NAME_MAX || NAME_FORBIDDEN.test(name)) return null
  return name
}

function cleanTransports(transports: readonly string[] | undefined): string[] {
  return [...new Set((transports ?? []).filter((t) => TRANSPORTS.has(t)))].slice(0, 8)
}

type PasskeyAction =
  | 'mfa.passkey.register'
  | 'mfa.passkey.remove'
  | 'mfa.passkey.use'
  | 'mfa.passkey.clone_suspected'

function passkeyEvent(
  action: PasskeyAction,
  outcome: AuditEvent['outcome'],
  who: { userId: string | null; passkeyId?: string | undefined },
  meta: RequestMeta | undefined,
  reason?: string,
): AuditEvent {
  return {
    category: 'iam',
    action,
    outcome,
    ...(reason ? { reason } : {}),
    actor: who.userId ? { type: 'user', id: who.userId } : { type: 'anonymous' },
    ...(who.passkeyId
      ? { target: { type: 'passkey', id: who.passkeyId } }
      : who.userId
        ? { target: { type: 'user', id: who.userId } }
        : {}),
    ...(meta ? eventOrigin(meta) : {}),
  }
}

/** Why a challenge cannot be used by this caller now, or null when it can. */
function challengeRefusal(
  claims: ChallengeClaims | null,
  userId: string | null,
  sessionId: string | null,
): string | null {
  if (!claims) return 'challenge_invalid'
  if (claims.userId !== userId || claims.sessionId !== sessionId) return 'challenge_not_yours'
  if (claims.expiresAt.getTime() <= Date.now()) return 'challenge_expired'
  return null
}

export async function listUserPasskeys(
  ctx: ServiceContext,
  principal: SessionPrincipal,
): Promise<PasskeySummary[]> {
  const { tenantId, userId } = principal
  const rows = await withTenant(ctx.db, tenantId, (trx) => listPasskeys(trx, tenantId, userId))
  return rows.map(summary)
}

/**
 * Registration options for the signed-in user, bound to their session: the user's existing
 * credentials are excluded (an authenticator already registered says so instead of making a
 * second credential), a discoverable credential and user verification are preferred.
 */
export async function startPasskeyRegistration(
  ctx: ServiceContext,
  principal: SessionPrincipal,
): Promise<PasskeyChallenge<PublicKeyCredentialCreationOptionsJSON>> {
  const { tenantId, userId } = principal
  const existing = await withTenant(ctx.db, tenantId, (trx) => listPasskeys(trx, tenantId, userId))
  if (existing.length >= MAX_PASSKEYS_PER_USER) throw MfaErrors.MFA_PASSKEY_LIMIT_REACHED()
  const issued = await issueChallenge(ctx, tenantId, 'registration', userId, principal.sessionId)
  const rp = relyingParty(ctx.config)
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    // The user's own address names the account in their authenticator, as in their TOTP app;
    // the slug tells organisations apart for someone in several.
    userName: `${principal.email} (${principal.tenant.slug})`,
    userDisplayName: principal.email,
    userID: userHandleOf(userId),
    challenge: issued.bytes,
    timeout: CHALLENGE_TTL_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: p.transports })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  })
  return { challengeId: issued.challengeId, options }
}

export interface PasskeyRegistration {
  challengeId: string
  name: string
  response: RegistrationResponseJSON
}

type RegistrationOutcome =
  | { ok: true; passkey: PasskeySummaryRow }
  | { ok: false; reason: string; error: Error }

/**
 * Verifies the authenticator's attestation against the session's challenge and stores the
 * credential. The challenge is spent whatever the outcome, in the transaction that records it.
 */
export async function finishPasskeyRegistration(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  input: PasskeyRegistration,
  meta: RequestMeta,
): Promise<PasskeySummary> {
  const { tenantId, userId } = principal
  const name = normalisePasskeyName(input.name)
  if (name === null) throw MfaErrors.MFA_PASSKEY_NAME_INVALID()
  const claims = await openChallenge(ctx, tenantId, input.challengeId, 'registration')
  const refusal = challengeRefusal(claims, userId, principal.sessionId)
  const rp = relyingParty(ctx.config)
  let credential: { id: string; publicKey: Uint8Array; counter: number } | null = null
  if (claims && !refusal) {
    try {
      const verified = await verifyRegistrationResponse({
        response: input.response,
        expectedChallenge: claims.challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        // Preferred at registration, not required: it is required where it matters, at a
        // passwordless sign-in.
        requireUserVerification: false,
      })
      const c = verified.registrationInfo?.credential
      if (
        verified.verified &&
        c &&
        CREDENTIAL_ID.test(c.id) &&
        c.publicKey.byteLength <= MAX_PUBLIC_KEY_BYTES
      ) {
        credential = c
      }
    } catch {
      // Malformed CBOR, wrong origin or relying party, an unsupported key: all refused alike.
      credential = null
    }
  }
  const outcome = await withTenant(ctx.db, tenantId, async (trx): Promise<RegistrationOutcome> => {
    const fail = async (reason: string, error: Error): Promise<RegistrationOutcome> => {
      await recordEvent(
        trx,
        tenantId,
        passkeyEvent('mfa.passkey.register', 'failure', { userId }, meta, reason),
      )
      return { ok: false, reason, error }
    }
    if (!claims || refusal) {
      // A challenge that opens is spent even when refused (expired, another session's).
      if (claims) await spendChallenge(trx, tenantId, claims.id, 'registration', claims.expiresAt)
      return fail(refusal ?? 'challenge_invalid', MfaErrors.MFA_PASSKEY_CHALLENGE_INVALID())
    }
    if (!(await spendChallenge(trx, tenantId, claims.id, 'registration', claims.expiresAt))) {
      return fail('challenge_replayed', MfaErrors.MFA_PASSKEY_CHALLENGE_INVALID())
    }
    if (!credential) {
      return fail('attestation_invalid', MfaErrors.MFA_PASSKEY_REGISTRATION_INVALID())
    }
    // Parallel registrations take turns, so none passes the limit alongside another.
    await lockUserPasskeys(trx, tenantId, userId)
    if ((await countPasskeys(trx, tenantId, userId)) >= MAX_PASSKEYS_PER_USER) {
      return fail('limit_reached', MfaErrors.MFA_PASSKEY_LIMIT_REACHED())
    }
    const stored = await insertPasskey(trx, {
      id: randomUUID(),
      tenant_id: tenantId,
      user_id: userId,
      credential_id: credential.id,
      public_key: credential.publicKey,
      sign_count: credential.counter,
      transports: cleanTransports(input.response.response.transports),
      name,
      last_used_at: null,
    })
    if (!stored) return fail('credential_exists', MfaErrors.MFA_PASSKEY_ALREADY_REGISTERED())
    // IAM-4: an enrolment-only session has done what it was for.
    await upgradeEnrolmentSession(trx, tenantId, principal.sessionId, 'hwk')
    await recordEvent(
      trx,
      tenantId,
      passkeyEvent('mfa.passkey.register', 'success', { userId, passkeyId: stored.id }, meta),
    )
    return { ok: true, passkey: stored }
  })
  // LOG-1: a refusal commits its event (and the spent challenge) before the error is thrown.
  if (!outcome.ok) throw outcome.error
  return summary(outcome.passkey)
}

export async function removePasskey(
  ctx: ServiceContext,
  principal: SessionPrincipal,
  id: string,
  meta: RequestMeta,
): Promise<void> {
  const { tenantId, userId } = principal
  await withTenant(ctx.db, tenantId, async (trx) => {
    const removed = await deletePasskey(trx, tenantId, userId, id)
    if (!removed) throw MfaErrors.MFA_PASSKEY_NOT_FOUND()
    // IAM-4, IAM-6: as for an authenticator: the policy may forbid it; other sessions end.
    await assertPolicyAllowsRemoval(trx, tenantId, principal)
    await revokeUserSessions(trx, tenantId, userId, {
      exceptSessionId: principal.sessionId,
      reason: 'mfa_change',
      actor: { type: 'user', id: userId },
      meta,
    })
    await recordEvent(
      trx,
      tenantId,
      passkeyEvent('mfa.passkey.remove', 'success', { userId, passkeyId: removed.id }, meta),
    )
  })
}

/**
 * IAM-4, for sign-in: a challenge and the options for navigator.credentials.get(). With a user
 * (a second factor after the password), only that user's credentials are allowed; with null (a
 * passwordless sign-in) the list is empty, so the authenticator offers its discoverable
 * credentials, and user verification is required. Writes nothing (see passkeys.challenges.ts).
 */
export async function startPasskeyAuthentication(
  ctx: ServiceContext,
  tenantId: string,
  userId: string | null,
): Promise<PasskeyChallenge<PublicKeyCredentialRequestOptionsJSON>> {
  const allowed = userId
    ? await withTenant(ctx.db, tenantId, (trx) => listPasskeys(trx, tenantId, userId))
    : []
  const issued = await issueChallenge(ctx, tenantId, 'authentication', userId, null)
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(ctx.config).id,
    challenge: issued.bytes,
    timeout: CHALLENGE_TTL_MS,
    userVerification: userId ? 'preferred' : 'required',
    allowCredentials: allowed.map((p) => ({ id: p.credential_id, transports: p.transports })),
  })
  return { challengeId: issued.challengeId, options }
}

export interface PasskeyAssertion {
  /** The challengeId startPasskeyAuthentication returned. */
  challengeId: string
  /** PublicKeyCredential.toJSON() from navigator.credentials.get(); checked here, any shape. */
  response: unknown
  /** The user who must be signing (a second factor); null for a passwordless sign-in. */
  expectedUserId: string | null
  /** Where the attempt comes from, for the audit events. */
  meta?: RequestMeta | undefined
}

type AssertionVerdict =
  | { ok: true; userId: string; passkeyId: string }
  | {
      ok: false
      reason: string
      userId: string | null
      passkeyId?: string
      action?: PasskeyAction
    }

/** SEC-3: the fields verification reads, with their types and sizes; nothing else is trusted. */
function asAssertion(value: unknown): AuthenticationResponseJSON | null {
  if (value === null || typeof value !== 'object') return null
  const { id, rawId, type, response } = value as Record<string, unknown>
  if (typeof id !== 'string' || id !== rawId || type !== 'public-key') return null
  if (response === null || typeof response !== 'object') return null
  const r = response as Record<string, unknown>
  const sized = (v: unknown, max: number) => typeof v === 'string' && v.length <= max
  if (!sized(r.clientDataJSON, 8192) || !sized(r.authenticatorData, 16384)) return null
  if (!sized(r.signature, 2048)) return null
  if (r.userHandle !== undefined && !sized(r.userHandle, 128)) return null
  return value as AuthenticationResponseJSON
}

async function judgeAssertion(
  ctx: Pick<ServiceContext, 'config' | 'keys'>,
  trx: Trx,
  tenantId: string,
  assertion: PasskeyAssertion,
): Promise<AssertionVerdict> {
  const expected = assertion.expectedUserId
  const claims =
    typeof assertion.challengeId === 'string'
      ? await openChallenge(ctx, tenantId, assertion.challengeId, 'authentication')
      : null
  const refusal = challengeRefusal(claims, expected, null)
  if (!claims || refusal) {
    if (claims) await spendChallenge(trx, tenantId, claims.id, 'authentication', claims.expiresAt)
    return { ok: false, reason: refusal ?? 'challenge_invalid', userId: expected }
  }
  // Spent before anything else is looked at: whatever follows, this challenge is used up.
  if (!(await spendChallenge(trx, tenantId, claims.id, 'authentication', claims.expiresAt))) {
    return { ok: false, reason: 'challenge_replayed', userId: expected }
  }
  const response = asAssertion(assertion.response)
  const credentialId = response?.id.replace(/=+$/, '')
  if (!response || !credentialId || !CREDENTIAL_ID.test(credentialId)) {
    return { ok: false, reason: 'response_malformed', userId: expected }
  }
  const passkey = await findPasskeyByCredentialId(trx, tenantId, credentialId)
  if (!passkey) return { ok: false, reason: 'unknown_credential', userId: expected }
  const owner = { userId: passkey.user_id, passkeyId: passkey.id }
  if (expected !== null && passkey.user_id !== expected) {
    // Recorded under the user who was signing in; the credential's owner did nothing.
    return { ok: false, reason: 'credential_of_another_user', userId: expected }
  }
  const handle = response.response.userHandle
  if (
    handle &&
    handle.replace(/=+$/, '') !== Buffer.from(userHandleOf(passkey.user_id)).toString('base64url')
  ) {
    return { ok: false, reason: 'user_handle_mismatch', ...owner }
  }
  const rp = relyingParty(ctx.config)
  let newCounter: number
  try {
    const verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: claims.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      // Counter 0: the library's own counter check is off, so that a regression is told apart
      // from a bad signature, and checked below only once the signature holds.
      credential: {
        id: passkey.credential_id,
        publicKey: new Uint8Array(passkey.public_key),
        counter: 0,
        transports: passkey.transports,
      },
      // Passwordless: the passkey is both factors, so the authenticator must have verified the
      // user (PIN, biometrics); as a second factor, presence is enough.
      requireUserVerification: expected === null,
    })
    if (!verified.verified) return { ok: false, reason: 'bad_signature', ...owner }
    newCounter = verified.authenticationInfo.newCounter
  } catch {
    // Wrong origin, relying party or type, no user presence or verification, malformed data.
    return { ok: false, reason: 'assertion_invalid', ...owner }
  }
  // WebAuthn 6.1.1: a counter that does not rise means two authenticators hold the key.
  if (!(await recordPasskeyUse(trx, tenantId, passkey.id, newCounter))) {
    return {
      ok: false,
      reason: 'counter_regression',
      action: 'mfa.passkey.clone_suspected',
      ...owner,
    }
  }
  return { ok: true, ...owner }
}

/**
 * IAM-4, for sign-in: the id of the user whose passkey signed the challenge, or null. Null for
 * any failure: a malformed, altered, expired or already used challenge, or one issued for another
 * user or organisation; an unknown credential or another user's; a wrong origin or relying party;
 * a bad signature; no user verification when `expectedUserId` is null; a signature counter that
 * went back (also audited as `mfa.passkey.clone_suspected`). On success the counter and last use
 * are updated. Every outcome is audited in `trx`.
 *
 * Runs in the caller's withTenant transaction, which must COMMIT whatever the answer: the
 * transaction holds the spent challenge and the audit events, so a rollback would make the
 * challenge usable again and lose the record of a suspected clone.
 */
export async function verifyPasskeyAssertion(
  ctx: Pick<ServiceContext, 'config' | 'keys'>,
  trx: Trx,
  tenantId: string,
  assertion: PasskeyAssertion,
): Promise<string | null> {
  const verdict = await judgeAssertion(ctx, trx, tenantId, assertion)
  const { meta } = assertion
  if (verdict.ok) {
    await recordEvent(trx, tenantId, passkeyEvent('mfa.passkey.use', 'success', verdict, meta))
    return verdict.userId
  }
  await recordEvent(
    trx,
    tenantId,
    passkeyEvent(verdict.action ?? 'mfa.passkey.use', 'failure', verdict, meta, verdict.reason),
  )
  return null
}
