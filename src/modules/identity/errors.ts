import { defineErrors } from '../../http/errors.ts'

export const IdentityErrors = defineErrors({
  IDENTITY_INVALID_CREDENTIALS: {
    status: 401,
    // IAM-3: one answer for unknown organisation, unknown e-mail and wrong password.
    message: 'The organisation, e-mail address or password is not correct',
  },
  // IAM-3, IAM-4: one answer for a wrong code, a spent or expired challenge and a locked account.
  IDENTITY_SECOND_FACTOR_INVALID: {
    status: 401,
    message: 'The code is not correct, or this sign-in has expired; sign in again if it persists',
  },
  // IAM-4, IAM-6: the session is valid but too old for this change; prove who you are again.
  IDENTITY_STEP_UP_REQUIRED: {
    status: 403,
    message: 'This change needs a recent sign-in: confirm your password (and second factor) first',
  },
  IDENTITY_STEP_UP_SECOND_FACTOR_REQUIRED: {
    status: 422,
    message: 'You have a second factor: send its code too (method and code)',
  },
  IDENTITY_STEP_UP_FAILED: {
    status: 403,
    message: 'The password or second factor is not correct',
  },
  IDENTITY_PASSWORD_TOO_SHORT: {
    status: 422,
    message: 'The password needs at least 12 characters',
  },
  IDENTITY_PASSWORD_TOO_LONG: {
    status: 422,
    message: 'The password may have at most 256 characters',
  },
  IDENTITY_PASSWORD_COMMON: {
    status: 422,
    message: 'This password is on the list of common or breached passwords; choose another',
  },
  IDENTITY_PASSWORD_WEAK: { status: 422, message: 'The password is too easy to guess' },
  // IAM-6: sessions and devices. One 404 for an id that never existed, is another user's or
  // another organisation's, or is already revoked or expired.
  IDENTITY_SESSION_NOT_FOUND: { status: 404, message: 'No active session with that id' },
  IDENTITY_USER_NOT_FOUND: { status: 404, message: 'No user with that id' },
  // 403 rather than 401: the session is fine, the proof offered with the request is not.
  IDENTITY_CURRENT_PASSWORD_INVALID: {
    status: 403,
    message: 'The current password is not correct',
  },
  IDENTITY_PASSWORD_UNCHANGED: {
    status: 422,
    message: 'The new password must differ from the current one',
  },
})
