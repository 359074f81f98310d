// IAM-2: password policy (12..256 characters, any characters, no composition rules, common and
// breached passwords refused, zxcvbn score >= 3) and argon2id hashing with transparent rehash.
import { hash, verify } from '@node-rs/argon2'
import { ZxcvbnFactory } from '@zxcvbn-ts/core'
import * as common from '@zxcvbn-ts/language-common'
import * as english from '@zxcvbn-ts/language-en'
import { IdentityErrors } from './errors.ts'

export const PASSWORD_MIN = 12
export const PASSWORD_MAX = 256
const MIN_SCORE = 3

/** @node-rs/argon2's Algorithm.Argon2id (a const enum, so not importable as a value). */
const ARGON2ID = 2

/** OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane. Raising these rehashes at next sign-in. */
export const ARGON2_PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

// The bundled list: about 49,000 passwords most often found in breaches (zxcvbn's list).
const COMMON_PASSWORDS = new Set(common.dictionary['passwords-common'])

const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...english.dictionary },
  graphs: common.adjacencyGraphs,
  translations: english.translations,
})

/** NIST SP 800-63B: compare passwords after Unicode normalisation. */
export function normalizePassword(password: string): string {
  return password.normalize('NFC')
}

/**
 * Throws a 422 naming the first rule the password breaks. `context` holds words the password
 * must not lean on (the e-mail address, organisation name and slug).
 */
export function assertAcceptablePassword(password: string, context: string[] = []): void {
  const normalized = normalizePassword(password)
  const length = [...normalized].length
  if (length < PASSWORD_MIN) throw IdentityErrors.IDENTITY_PASSWORD_TOO_SHORT()
  if (length > PASSWORD_MAX) throw IdentityErrors.IDENTITY_PASSWORD_TOO_LONG()
  if (COMMON_PASSWORDS.has(normalized.toLowerCase()))
    throw IdentityErrors.IDENTITY_PASSWORD_COMMON()
  const result = zxcvbn.check(normalized, context.filter(Boolean))
  if (result.score < MIN_SCORE) {
    const hint = result.feedback.warning ?? result.feedback.suggestions[0]
    throw IdentityErrors.IDENTITY_PASSWORD_WEAK(
      hint ? `The password is too easy to guess: ${hint}` : undefined,
      { score: result.score, minimum: MIN_SCORE },
    )
  }
}

export function hashPassword(password: string): Promise<string> {
  return hash(normalizePassword(password), { algorithm: ARGON2ID, ...ARGON2_PARAMS })
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, normalizePassword(password))
  } catch {
    return false
  }
}

/** True when the stored hash is weaker than the current parameters (or not argon2id). */
export function needsRehash(stored: string): boolean {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored)
  if (!match) return true
  const [m, t, p] = match.slice(1).map(Number) as [number, number, number]
  return m < ARGON2_PARAMS.memoryCost || t < ARGON2_PARAMS.timeCost || p < ARGON2_PARAMS.parallelism
}

let dummyHash: Promise<string> | undefined

/**
 * IAM-3: when there is no user to check against, verify against a throwaway hash anyway so an
 * unknown e-mail takes as long as a wrong password.
 */
export async function burnVerification(password: string): Promise<void> {
  dummyHash ??= hashPassword('rampart-timing-equaliser-not-a-password')
  await verifyPassword(await dummyHash, password)
}
