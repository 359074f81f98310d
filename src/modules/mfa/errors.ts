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
  // IAM-4: administration of second factors: owners and admins only; an owner's only by an owner.
  // IAM-7: an admin must not be able to strip an owner's second factor.
  MFA_OWNER_RESET_FORBIDDEN: {
    status: 403,
    message: "Only owners reset an owner's second factors",
  },
  MFA_USER_NOT_FOUND: { status: 404, message: 'No user with that id' },
  MFA_RESET_SELF: {
    status: 409,
    message: 'Manage your own second factors under /api/v1/me/mfa',
  },
  MFA_NOTHING_TO_RESET: { status: 409, message: 'The user has no second factor to reset' },
  // IAM-4: the organisation requires a second factor of this user; the last one cannot go.
  MFA_REQUIRED_BY_POLICY: {
    status: 409,
    message: 'Your organisation requires a second factor: add another before removing the last one',
  },
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
  // IAM-4: passkeys (WebAuthn). A registration that fails verification says only which half
  // failed: the challenge (ask for new options) or the authenticator's response.
  MFA_PASSKEY_CHALLENGE_INVALID: {
    status: 422,
    message:
      "The registration challenge is unknown, expired, already used or not this session's; ask for new options",
  },
  MFA_PASSKEY_REGISTRATION_INVALID: {
    status: 422,
    message:
      "The authenticator's response could not be verified (origin, relying party, format or key)",
  },
  MFA_PASSKEY_ALREADY_REGISTERED: {
    status: 409,
    message: 'This passkey is already registered',
  },
  MFA_PASSKEY_LIMIT_REACHED: {
    status: 409,
    message: 'You have as many passkeys as allowed; remove one before adding another',
  },
  MFA_PASSKEY_NAME_INVALID: {
    status: 422,
    message: 'A passkey name needs 1 to 64 characters, none of them control characters',
  },
  MFA_PASSKEY_NOT_FOUND: { status: 404, message: 'No passkey with that id' },
})
