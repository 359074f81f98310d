// Schema building blocks shared by every module's routes.
import { type TString, Type } from 'typebox'

/**
 * What single-line human text must not hold: control characters (NUL cannot be stored by
 * PostgreSQL; line breaks and escapes end up in logs and e-mails), lone surrogates (stored as
 * U+FFFD: the text would not come back as sent) and line separators, direction marks and
 * overrides (which make a name display as something it is not).
 */
const UNSAFE_TEXT_CLASS = '\\p{Cc}\\p{Cs}\\u2028\\u2029\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069'
export const UNSAFE_TEXT = new RegExp(`[${UNSAFE_TEXT_CLASS}]`, 'u')

/** Single-line human text (names, titles, notes): any script, nothing of UNSAFE_TEXT. */
export function SingleLineText(options: {
  minLength?: number
  maxLength: number
  description?: string
}): TString {
  return Type.String({ ...options, pattern: `^[^${UNSAFE_TEXT_CLASS}]*$` })
}

/**
 * A whole number in a path or query string. Type coercion is off (SEC-3: a JSON body's "42" is not
 * 42), so values that only ever arrive as text are declared as digit strings and parsed here.
 */
export function DigitString(options: { description?: string } = {}): TString {
  return Type.String({ ...options, pattern: '^[0-9]{1,15}$' })
}

export function parseDigits(value: string): number
export function parseDigits(value: string | undefined): number | undefined
export function parseDigits(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value)
}
