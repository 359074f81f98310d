// IAM-6: opaque session tokens (256 random bits) of which only the SHA-256 is stored, and the
// CSRF token derived from the session token so that nothing more needs storing.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url')
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('rampart-csrf-v1').digest('base64url')
}

export function csrfMatches(sessionToken: string, presented: string | undefined): boolean {
  if (!presented) return false
  const expected = Buffer.from(csrfTokenFor(sessionToken))
  const given = Buffer.from(presented)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** Session tokens are 43 base64url characters; anything else is not worth a database query. */
export function looksLikeSessionToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value)
}
