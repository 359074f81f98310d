// Schema building blocks shared by every module's routes.
import { type TString, Type } from 'typebox'

/**
 * Single-line human text (names, titles): any script, no control characters. NUL in particular
 * cannot be stored by PostgreSQL, and line breaks or escapes in names end up in logs and e-mails.
 */
export function SingleLineText(options: {
  minLength?: number
  maxLength: number
  description?: string
}): TString {
  return Type.String({ ...options, pattern: '^[^\\u0000-\\u001F\\u007F]*$' })
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
