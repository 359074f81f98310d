// IAM-4: TOTP as RFC 6238 fixes it for authenticator apps: HMAC-SHA-1, 6 digits, 30-second steps,
// and codes of the step before and after the current one accepted, for clock drift and typing
// time. Pure functions: storage, single use and audit live in totp.service.ts.
import { randomBytes } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'

export const TOTP_ALGORITHM = 'SHA1'
export const TOTP_DIGITS = 6
export const TOTP_PERIOD_SECONDS = 30
/** Steps accepted either side of the current one. */
export const TOTP_WINDOW = 1
/** 160 bits: the length RFC 4226 (section 4) recommends, the size of an HMAC-SHA-1 output. */
export const TOTP_SECRET_BYTES = 20
export const TOTP_ISSUER = 'Rampart'

const CODE = /^[0-9]{6}$/

/** A fresh random secret from the operating system's CSPRNG. */
export function newTotpSecret(): Buffer {
  return randomBytes(TOTP_SECRET_BYTES)
}

function totpFor(secret: Uint8Array, label = ''): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    // A copy: otpauth keeps the buffer, and callers zero theirs after use.
    secret: new Secret({ buffer: Uint8Array.from(secret).buffer }),
  })
}

export interface TotpEnrolment {
  /** otpauth://totp/... for authenticator apps (the label is the user's own e-mail address). */
  uri: string
  /** The secret in base32, for typing into an app by hand. */
  base32: string
}

export function totpEnrolment(secret: Uint8Array, label: string): TotpEnrolment {
  const totp = totpFor(secret, label)
  return { uri: totp.toString(), base32: totp.secret.base32 }
}

/** The time step (RFC 6238 T) of a moment, in milliseconds since the epoch. */
export function timeStep(at: number): number {
  return Math.floor(at / 1000 / TOTP_PERIOD_SECONDS)
}

/**
 * The time step whose code `code` is, within the window around `at`, or null. Compared in
 * constant time by otpauth. Anything but six ASCII digits is refused before any HMAC is computed.
 */
export function matchingStep(secret: Uint8Array, code: string, at: number): number | null {
  if (!CODE.test(code)) return null
  const delta = totpFor(secret).validate({ token: code, timestamp: at, window: TOTP_WINDOW })
  return delta === null ? null : timeStep(at) + delta
}
