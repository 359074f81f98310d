import { defineErrors } from '../../http/errors.ts'

// IAM-1, IAM-6: e-mail verification and change. One answer for an unknown, used, voided or
// expired link, so a guessed token learns nothing.
export const EmailErrors = defineErrors({
  IDENTITY_EMAIL_TOKEN_INVALID: {
    status: 400,
    message: 'The link is not valid: it was used, replaced by a newer one, or has expired',
  },
  IDENTITY_EMAIL_UNCHANGED: {
    status: 422,
    message: 'That is already the address of your account',
  },
  IDENTITY_EMAIL_TAKEN: {
    status: 409,
    message: 'Another user of your organisation already has that address',
  },
  IDENTITY_EMAIL_ALREADY_VERIFIED: {
    status: 409,
    message: 'Your address is already verified',
  },
  IDENTITY_EMAIL_TOO_MANY: {
    status: 429,
    message: 'Too many verification mails for this account; try again in an hour',
  },
})
