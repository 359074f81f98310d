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
