// IAM-4: WebAuthn challenges, sealed rather than stored. A challenge's facts (purpose, random
// bytes, the user and session it was issued to, expiry) travel in its id, sealed with AES-256-GCM
// under the organisation's key and bound to the organisation (KMS-2), so nothing is written when
// one is issued: an anonymous caller asking for passwordless options cannot fill an
// organisation's tables (SEC-4, AUTHZ-5), and any node can check any challenge (AV-3). Single use
// is stored instead: spending a challenge records its id until it expires
// (passkeys.repository.ts spendChallenge), and a second use finds the mark.
import { randomBytes, randomUUID } from 'node:crypto'
import type { ServiceContext } from '../../context.ts'
import { KmsError } from '../../crypto/errors.ts'
import { decryptField, encryptField, type FieldRef } from '../../crypto/field-encryption.ts'
import { isUuid } from '../../db/tenant.ts'
import { MfaErrors } from './errors.ts'

/** IAM-4: five minutes to answer a challenge. */
export const CHALLENGE_TTL_MS = 5 * 60_000
/** 256 bits, well above WebAuthn's minimum of 16 bytes (13.4.3). */
const CHALLENGE_BYTES = 32
/** Field ciphertext overhead: format, key version and nonce, then the GCM tag. */
const SEAL_OVERHEAD = 1 + 4 + 12 + 16

export type ChallengePurpose = 'registration' | 'authentication'

export interface ChallengeClaims {
  /** The challenge's own id: its spent mark is stored under it. */
  id: string
  purpose: ChallengePurpose
  /** base64url of the random bytes: what the authenticator's response must echo. */
  challenge: string
  /** The user it was issued to; null for a passwordless sign-in, where nobody is known yet. */
  userId: string | null
  /** Registration only: the session that asked for it. */
  sessionId: string | null
  expiresAt: Date
}

export interface IssuedChallenge {
  /** Handed to the client and back: `<uuid>.<sealed claims, base64url>`. */
  challengeId: string
  claims: ChallengeClaims
  /** The raw bytes for the WebAuthn options. */
  bytes: Uint8Array<ArrayBuffer>
}

/** SEC-3: the shape of a challenge id; anything else is refused unread. */
export const CHALLENGE_ID_PATTERN = '^[0-9a-f-]{36}\\.[A-Za-z0-9_-]{40,700}$'
const CHALLENGE_ID = new RegExp(CHALLENGE_ID_PATTERN)

function sealRef(tenantId: string, id: string): FieldRef {
  return { tenantId, table: 'mfa_passkey_challenges', column: 'seal', rowId: id }
}

function encodeClaims(claims: ChallengeClaims): string {
  return JSON.stringify({
    p: claims.purpose,
    c: claims.challenge,
    u: claims.userId,
    s: claims.sessionId,
    e: claims.expiresAt.getTime(),
  })
}

function nullableUuid(value: unknown): value is string | null {
  return value === null || (typeof value === 'string' && isUuid(value))
}

function decodeClaims(id: string, text: string): ChallengeClaims | null {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return null
  }
  if (raw === null || typeof raw !== 'object') return null
  const { p, c, u, s, e } = raw as Record<string, unknown>
  if (p !== 'registration' && p !== 'authentication') return null
  if (typeof c !== 'string' || !nullableUuid(u) || !nullableUuid(s)) return null
  if (typeof e !== 'number' || !Number.isSafeInteger(e)) return null
  return { id, purpose: p, challenge: c, userId: u, sessionId: s, expiresAt: new Date(e) }
}

/** A fresh challenge for `purpose`, sealed under the organisation's key. */
export async function issueChallenge(
  ctx: Pick<ServiceContext, 'keys'>,
  tenantId: string,
  purpose: ChallengePurpose,
  userId: string | null,
  sessionId: string | null,
): Promise<IssuedChallenge> {
  const id = randomUUID()
  const bytes = new Uint8Array(randomBytes(CHALLENGE_BYTES))
  const claims: ChallengeClaims = {
    id,
    purpose,
    challenge: Buffer.from(bytes).toString('base64url'),
    userId,
    sessionId,
    expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
  }
  let sealed: Buffer
  try {
    sealed = await encryptField(ctx.keys, sealRef(tenantId, id), encodeClaims(claims))
  } catch (err) {
    // KMS-5: a shredded organisation, or one without a key, gets no challenge.
    if (err instanceof KmsError) {
      throw MfaErrors.MFA_KEY_UNAVAILABLE(undefined, { reason: err.reason })
    }
    throw err
  }
  return { challengeId: `${id}.${sealed.toString('base64url')}`, claims, bytes }
}

/**
 * IAM-3: what an organisation that does not exist answers with, so that passwordless options do
 * not tell which slugs are taken: an id of the same shape and length as a real one, that opens
 * nowhere.
 */
export function decoyChallenge(purpose: ChallengePurpose): IssuedChallenge {
  const id = randomUUID()
  const bytes = new Uint8Array(randomBytes(CHALLENGE_BYTES))
  const claims: ChallengeClaims = {
    id,
    purpose,
    challenge: Buffer.from(bytes).toString('base64url'),
    userId: null,
    sessionId: null,
    expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
  }
  const length = Buffer.byteLength(encodeClaims(claims)) + SEAL_OVERHEAD
  return { challengeId: `${id}.${randomBytes(length).toString('base64url')}`, claims, bytes }
}

/**
 * The claims of a challenge id issued by this organisation for `purpose`, or null: malformed,
 * altered, another organisation's, for another purpose, or under a destroyed key. Expiry and the
 * user and session bindings are the caller's to check, so it can say which failed in the log.
 */
export async function openChallenge(
  ctx: Pick<ServiceContext, 'keys'>,
  tenantId: string,
  challengeId: string,
  purpose: ChallengePurpose,
): Promise<ChallengeClaims | null> {
  if (typeof challengeId !== 'string' || !CHALLENGE_ID.test(challengeId)) return null
  const dot = challengeId.indexOf('.')
  const id = challengeId.slice(0, dot)
  if (!isUuid(id)) return null
  let text: string
  try {
    const plain = await decryptField(
      ctx.keys,
      sealRef(tenantId, id),
      Buffer.from(challengeId.slice(dot + 1), 'base64url'),
    )
    text = plain.toString('utf8')
  } catch (err) {
    if (err instanceof KmsError) return null
    throw err
  }
  const claims = decodeClaims(id, text)
  return claims?.purpose === purpose ? claims : null
}
