import { defineErrors } from '../../http/errors.ts'

// IAM-1, IAM-7: users, invitations and ownership. An unknown user id, or another organisation's,
// gets IDENTITY_USER_NOT_FOUND from errors.ts.
export const MemberErrors = defineErrors({
  IDENTITY_LAST_OWNER: {
    status: 409,
    message:
      'The organisation must keep at least one active owner: make someone else owner, or transfer ownership, first',
  },
  IDENTITY_SELF_CHANGE_FORBIDDEN: {
    status: 403,
    message:
      'You cannot change your own role or status here; an owner may step down while another owner remains, and anyone may leave with DELETE /api/v1/me',
  },
  IDENTITY_USER_STATUS_UNCHANGED: { status: 409, message: 'The user already has this status' },
  IDENTITY_CURSOR_INVALID: {
    status: 400,
    message: 'The cursor is not valid (or its row is gone); start from the first page',
  },
  IDENTITY_USER_EXISTS: {
    status: 409,
    message: 'A user with this e-mail address already belongs to the organisation',
  },
  IDENTITY_INVITATION_EXISTS: {
    status: 409,
    message: 'This address already has an open invitation; resend or revoke it',
  },
  IDENTITY_INVITATION_NOT_FOUND: { status: 404, message: 'No open invitation with that id' },
  // One answer for unknown, used, revoked, superseded and expired tokens, and for organisations
  // that are locked: nothing to learn by probing.
  IDENTITY_INVITATION_TOKEN_INVALID: {
    status: 400,
    message:
      'This invitation link is not valid (unknown, already used, revoked or expired); ask for a new one',
  },
  IDENTITY_TRANSFER_PENDING: {
    status: 409,
    message: 'An ownership transfer is already pending; cancel it first',
  },
  IDENTITY_TRANSFER_RECIPIENT_INVALID: {
    status: 409,
    message:
      'Ownership can go only to another active user of the organisation who is not an owner yet',
  },
  IDENTITY_TRANSFER_NOT_FOUND: { status: 404, message: 'No ownership transfer with that id' },
  IDENTITY_TRANSFER_CLOSED: {
    status: 409,
    message: 'This transfer is no longer pending (accepted, declined, cancelled or expired)',
  },
  IDENTITY_TRANSFER_SENDER_NOT_OWNER: {
    status: 409,
    message: 'The user who offered this transfer is no longer an owner; it cannot be accepted',
  },
})
