import { defineErrors } from '../../http/errors.ts'

export const PasswordResetErrors = defineErrors({
  IDENTITY_RESET_TOKEN_INVALID: {
    status: 400,
    // One answer for unknown, used, superseded and expired tokens: nothing to learn by probing.
    message: 'This reset link is not valid (unknown, already used or expired); ask for a new one',
  },
})
