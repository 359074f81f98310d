// Page cursors of the data lists: opaque to clients, base64url JSON of [tag, position, id]. The
// tag names the list (for records, the very query) a cursor was made for, the position is the
// last row's sort value and the id breaks ties. Anything else is DATA_CURSOR_INVALID, never a 500.
import { isUuid } from '../../db/tenant.ts'
import { DataErrors } from './errors.ts'

export function encodePageCursor(tag: string, position: string | null, id: string): string {
  return Buffer.from(JSON.stringify([tag, position, id]), 'utf8').toString('base64url')
}

/** The position and id of a cursor made with `tag`, whose position `valid` accepts. */
export function decodePageCursor<P extends string | null>(
  text: string,
  tag: string,
  valid: (position: unknown) => position is P,
): { position: P; id: string } {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    throw DataErrors.DATA_CURSOR_INVALID()
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    parsed[0] !== tag ||
    !valid(parsed[1]) ||
    typeof parsed[2] !== 'string' ||
    !isUuid(parsed[2])
  ) {
    throw DataErrors.DATA_CURSOR_INVALID()
  }
  return { position: parsed[1], id: parsed[2].toLowerCase() }
}
