// AUTHZ-2: the codes of groups, members and grants (docs/groups.md lists them).
import { defineErrors } from '../../http/errors.ts'

export const GroupErrors = defineErrors({
  ACCESS_GROUP_NOT_FOUND: { status: 404, message: 'No group with that id' },
  ACCESS_GROUP_NAME_TAKEN: {
    status: 409,
    message: 'Another group already has that name (compared ignoring letter case)',
  },
  ACCESS_GROUP_NAME_INVALID: {
    status: 422,
    message:
      'A group name has 1 to 100 characters once trimmed and NFC-normalised, and no control or direction characters',
  },
  ACCESS_GROUP_DESCRIPTION_INVALID: {
    status: 422,
    message:
      'A description has at most 500 characters once NFC-normalised, and no control characters but line breaks and tabs',
  },
  ACCESS_GROUP_LIMIT_REACHED: {
    status: 409,
    message: 'The organisation has as many groups as allowed; delete one first',
  },
  ACCESS_GROUP_USER_NOT_FOUND: { status: 404, message: 'No user with that id' },
  ACCESS_GROUP_MEMBER_NOT_FOUND: { status: 404, message: 'That user is not a member of the group' },
  ACCESS_RESOURCE_TYPE_UNKNOWN: {
    status: 422,
    message: 'No such resource type; details.registered lists those that are',
  },
  ACCESS_GRANT_PERMISSION_UNKNOWN: {
    status: 422,
    message: 'The resource type has no such permission; details.permissions lists its own',
  },
  // Need to know: a resource of another organisation, or one the caller may not see, gets the
  // same answer as one that never existed.
  ACCESS_RESOURCE_NOT_FOUND: { status: 404, message: 'No resource with that id' },
  ACCESS_GRANT_NOT_FOUND: { status: 404, message: 'The group has no grant with that id' },
  ACCESS_GRANT_LIMIT_REACHED: {
    status: 409,
    message: 'The group has as many grants as allowed; remove one first',
  },
})
