import { defineErrors } from '../../http/errors.ts'

// IAM-4: the MFA module's codes. A wrong code is 422 whatever the reason (wrong digits, an old
// step, a replay), so the answer never tells which.
export const MfaErrors = defineErrors({
  MFA_TOTP_ALREADY_ENABLED: {
    status: 409,
    message: 'An authenticator app is already enabled; remove it before enrolling another',
  },
  MFA_TOTP_NOT_STARTED: {
    status: 409,
    message: 'No authenticator enrolment is waiting for confirmation; start one first',
  },
  MFA_TOTP_NOT_FOUND: { status: 404, message: 'No authenticator app is enrolled' },
  MFA_CODE_INVALID: { status: 422, message: 'The code is not valid' },
  // KMS-5: a crypto-shredded tenant (or one without a key) cannot store a new secret.
  MFA_KEY_UNAVAILABLE: {
    status: 409,
    message: "The organisation's encryption key is unavailable; no authenticator can be enrolled",
  },
  MFA_TOTP_UNREADABLE: {
    status: 409,
    message:
      'The stored authenticator secret cannot be decrypted: its key is gone, or it was altered or moved',
  },
})
