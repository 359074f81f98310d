// IAM-1, IAM-7: schema pieces the users, invitations and ownership routes share.
import { Type } from 'typebox'
import { HttpErrors } from '../../http/errors.ts'
import { DigitString, parseDigits } from '../../http/schemas.ts'
import type { UserRole } from './users.table.ts'

/** A uuid as Rampart issues them: the app's `uuid` format is lower-case 8-4-4-4-12 only. */
export const Uuid = Type.String({ format: 'uuid' })

export const Role = Type.Unsafe<UserRole>({
  type: 'string',
  enum: ['owner', 'admin', 'member', 'viewer', 'auditor'],
  description: 'AUTHZ-1: docs/members.md lists what each role may do',
})

export const PageQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 64, description: 'nextCursor of a page' })),
    limit: Type.Optional(DigitString({ description: '1 to 200, default 50' })),
  },
  { additionalProperties: false },
)

export const UserSummary = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  role: Role,
  status: Type.Union([Type.Literal('active'), Type.Literal('deactivated')]),
  createdAt: Type.String({ format: 'date-time' }),
  lastSignInAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  emailVerified: Type.Boolean(),
})

export const UserParams = Type.Object({ userId: Uuid })
export const IdParams = Type.Object({ id: Uuid })

/** The `limit` query parameter, 1 to 200 (50 when absent). */
export function pageLimit(value: string | undefined): number {
  const limit = parseDigits(value) ?? 50
  if (limit < 1 || limit > 200) throw HttpErrors.REQUEST_INVALID('limit must be from 1 to 200')
  return limit
}
