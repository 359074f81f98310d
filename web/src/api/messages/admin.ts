// Messages for the error codes of the admin screens (web/src/pages/admin/), merged in messages.ts.
export const ADMIN_MESSAGES: Record<string, string> = {
  // People: users, invitations, groups and grants (members.tsx, groups.tsx, group.tsx).
  IDENTITY_LAST_OWNER:
    'The organisation must keep at least one active owner. Make someone else owner first.',
  IDENTITY_SELF_CHANGE_FORBIDDEN:
    'You cannot change your own role or status here. To leave, use My account.',
  IDENTITY_USER_STATUS_UNCHANGED: 'The user already has this status. Reload to see the change.',
  IDENTITY_USER_NOT_FOUND: 'That user is no longer in the organisation. Reload the list.',
  IDENTITY_CURSOR_INVALID: 'The list changed while you were reading it. Reload it.',
  IDENTITY_USER_EXISTS: 'Someone with this e-mail address is already in the organisation.',
  IDENTITY_INVITATION_EXISTS:
    'This address already has a pending invitation. Resend or revoke it below.',
  IDENTITY_INVITATION_NOT_FOUND:
    'That invitation is no longer pending: it was accepted or revoked. Reload the list.',
  MFA_OWNER_RESET_FORBIDDEN: "Only an owner can reset an owner's second factors.",
  MFA_USER_NOT_FOUND: 'That user is no longer in the organisation. Reload the list.',
  MFA_RESET_SELF: 'Manage your own second factors under My account.',
  MFA_NOTHING_TO_RESET: 'This user has no second factor to reset.',
  ACCESS_GROUP_NOT_FOUND: 'That group no longer exists. Go back to the groups.',
  ACCESS_GROUP_NAME_TAKEN: 'Another group already has that name (letter case does not count).',
  ACCESS_GROUP_NAME_INVALID:
    'A group name needs 1 to 100 characters, without control or direction characters.',
  ACCESS_GROUP_DESCRIPTION_INVALID:
    'A description can have at most 500 characters, without control characters.',
  ACCESS_GROUP_LIMIT_REACHED: 'The organisation has as many groups as allowed. Delete one first.',
  ACCESS_GROUP_USER_NOT_FOUND: 'That user is no longer in the organisation. Reload the page.',
  ACCESS_GROUP_MEMBER_NOT_FOUND: 'That person is no longer a member of this group.',
  ACCESS_RESOURCE_TYPE_UNKNOWN: 'Rampart does not know that kind of resource.',
  ACCESS_GRANT_PERMISSION_UNKNOWN: 'That kind of resource has no such permission.',
  ACCESS_RESOURCE_NOT_FOUND: 'That collection or dashboard no longer exists. Reload the page.',
  ACCESS_GRANT_NOT_FOUND: 'That grant was already removed.',
  ACCESS_GRANT_LIMIT_REACHED: 'The group has as many grants as allowed. Remove one first.',
  // Security: IP allowlist, API keys, access reviews (network.tsx, api-keys.tsx, access-review*.tsx).
  ACCESS_CIDR_INVALID:
    'An entry is not a valid IPv4 or IPv6 address or CIDR range (for example 203.0.113.0/24).',
  ACCESS_CIDR_DUPLICATE: 'An entry repeats an earlier range. Remove one of them.',
  ACCESS_LABEL_INVALID: 'A label can have at most 64 characters, without control characters.',
  ACCESS_ALLOWLIST_LOCKS_YOU_OUT:
    'The list does not include the address of this browser, so saving it would lock you out. Nothing was saved.',
  ACCESS_IP_NOT_ALLOWED: 'Your organisation does not allow access from this address.',
  ACCESS_API_KEY_NOT_FOUND: 'That API key no longer exists. Reload the list.',
  ACCESS_API_KEY_NAME_INVALID: 'A key name needs 1 to 100 characters, without control characters.',
  ACCESS_API_KEY_SCOPE_INVALID:
    'Choose one or more permissions for the key (owners.manage is never given to a key).',
  ACCESS_API_KEY_SCOPE_EXCEEDS_ROLE: 'A key can only carry permissions your own role holds.',
  ACCESS_API_KEY_LIMIT: 'You have 50 live API keys. Revoke one before creating another.',
  ACCESS_REVIEW_NOT_FOUND: 'That access review does not exist. Go back to the list.',
  ACCESS_REVIEW_ITEM_NOT_FOUND:
    'That user is not in this review: only users present when it opened are. Reload the page.',
  ACCESS_REVIEW_ALREADY_OPEN: 'A review is already open. Complete it before opening another.',
  ACCESS_REVIEW_NOT_OPEN:
    'This review is completed: its decisions are evidence and no longer change.',
  ACCESS_REVIEW_UNDECIDED: 'Every user needs a decision before the review can be completed.',
  ACCESS_REVIEW_NOT_COMPLETED: 'Only a completed review can be exported.',
  ACCESS_REVIEW_SELF_REVOKE: 'You cannot revoke your own access: another reviewer decides on you.',
  ACCESS_REVIEW_INTERVAL_TOO_LONG:
    'That interval is longer than this deployment allows. Choose a shorter one.',
  ACCESS_REVIEW_ALREADY_REVOKED:
    'This user was already revoked in this review; reactivate them from the members screen instead.',
}
