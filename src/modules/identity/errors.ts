import { defineErrors } from '../../http/errors.ts'

export const IdentityErrors = defineErrors({
  IDENTITY_INVALID_CREDENTIALS: {
    status: 401,
    // IAM-3: one answer for unknown organisation, unknown e-mail and wrong password.
    message: 'The organisation, e-mail address or password is not correct',
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
})
