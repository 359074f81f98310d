// IAM-4: recovery codes, for a user who has lost their authenticator. Each code is 16 characters
// of Crockford base32 (80 random bits), shown as XXXX-XXXX-XXXX-XXXX. Crockford's alphabet has no
// I, L, O or U, and reading back maps O to 0 and I and L to 1, so codes survive being copied by
// hand.
//
// Why SHA-256 and not argon2: a code is 80 bits from the CSPRNG, not a human choice, so even an
// unsalted fast hash leaves 2^80 guesses for an attacker holding a copy of the database: out of
// reach, where a slow hash only matters for guessable secrets. A fast, deterministic hash also lets
// the database find and spend a code in one atomic UPDATE (single use under concurrency), instead
// of verifying ten argon2 hashes per attempt, which would hand attackers a cheap way to burn CPU.
import { createHash, randomBytes } from 'node:crypto'

export const RECOVERY_CODE_COUNT = 10
const CODE_BYTES = 10
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const NORMALISED = /^[0-9A-HJKMNP-TV-Z]{16}$/
/** Longer input is refused unread: a code with generous separators stays far below this. */
const MAX_INPUT_LENGTH = 64

/** 80 bits as 16 Crockford base32 characters, five bits each. */
function encode(bytes: Buffer): string {
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += ALPHABET[(value >>> bits) & 31]
    }
    value &= (1 << bits) - 1
  }
  return out
}

export interface IssuedRecoveryCode {
  /** For the user, grouped for reading: XXXX-XXXX-XXXX-XXXX. */
  code: string
  /** For the database. */
  hash: Buffer
}

export function issueRecoveryCode(): IssuedRecoveryCode {
  const canonical = encode(randomBytes(CODE_BYTES))
  const groups = [0, 4, 8, 12].map((i) => canonical.slice(i, i + 4))
  return { code: groups.join('-'), hash: hashRecoveryCode(canonical) }
}

/**
 * The canonical form of what a user typed: upper case, without spaces and hyphens, with the
 * look-alikes O, I and L read as 0, 1 and 1. Null when it cannot be a code at all.
 */
export function normaliseRecoveryCode(input: string): string | null {
  if (input.length > MAX_INPUT_LENGTH) return null
  const canonical = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1')
  return NORMALISED.test(canonical) ? canonical : null
}

/** The stored form of a canonical code. */
export function hashRecoveryCode(canonical: string): Buffer {
  return createHash('sha256').update(canonical, 'ascii').digest()
}
