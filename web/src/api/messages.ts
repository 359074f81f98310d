// Friendly messages for the API's stable error codes (docs/api.md). A code missing here falls back
// to the API's own message, which is written for people too.
import { ApiError } from './client.ts'
import { ADMIN_MESSAGES } from './messages/admin.ts'
import { AUDIT_MESSAGES } from './messages/audit.ts'
import { DASHBOARDS_MESSAGES } from './messages/dashboards.ts'
import { DATA_MESSAGES } from './messages/data.ts'
import { VAULT_MESSAGES } from './messages/vault.ts'

const MESSAGES: Record<string, string> = {
  NETWORK_ERROR: 'Rampart could not be reached. Check your connection and try again.',
  RATE_LIMITED: 'Too many attempts from here. Wait a minute and try again.',
  SERVICE_UNAVAILABLE: 'Rampart is briefly unavailable. Try again in a few seconds.',
  INTERNAL_ERROR: 'Something went wrong on our side. Try again; if it keeps happening, tell us.',
  AUTH_REQUIRED: 'Your session has ended. Sign in again.',
  AUTH_PERMISSION_DENIED: 'Your role does not allow this.',
  AUTH_MFA_ENROLMENT_REQUIRED:
    'Your organisation requires a second factor. Set one up to continue.',
  REQUEST_CSRF_FAILED: 'This page is out of date. Reload it and try again.',
  REQUEST_CROSS_SITE: 'This request came from another site and was refused.',
  REQUEST_BODY_TOO_LARGE: 'That is too much text to send at once.',
  IDENTITY_INVALID_CREDENTIALS:
    'The organisation, e-mail address or password is not right, or the account is locked for a while.',
  IDENTITY_SECOND_FACTOR_INVALID:
    'That code did not work. It may be mistyped, used already or expired; sign in again if it keeps failing.',
  IDENTITY_STEP_UP_REQUIRED: 'Please confirm it is you before making this change.',
  IDENTITY_STEP_UP_FAILED: 'The password or code is not right.',
  IDENTITY_STEP_UP_SECOND_FACTOR_REQUIRED: 'Enter a code from your authenticator app as well.',
  IDENTITY_PASSWORD_TOO_SHORT: 'The password needs at least 12 characters.',
  IDENTITY_PASSWORD_TOO_LONG: 'The password can have at most 256 characters.',
  IDENTITY_PASSWORD_COMMON:
    'That password is on a list of common or leaked passwords. Choose another.',
  IDENTITY_CURRENT_PASSWORD_INVALID: 'Your current password is not right.',
  IDENTITY_PASSWORD_UNCHANGED: 'The new password is the same as the current one.',
  IDENTITY_RESET_TOKEN_INVALID:
    'This reset link no longer works: it was used, replaced by a newer one or expired. Ask for a new link.',
  IDENTITY_INVITATION_TOKEN_INVALID:
    'This invitation no longer works: it was used, revoked or expired. Ask for a new one.',
  IDENTITY_EMAIL_TOKEN_INVALID: 'This verification link no longer works. Ask for a new one.',
  IDENTITY_SESSION_NOT_FOUND: 'That session has already ended.',
  TENANT_SLUG_TAKEN: 'Another organisation already uses that short name. Choose another.',
  TENANT_SLUG_RESERVED: 'That short name is reserved. Choose another.',
  MFA_CODE_INVALID: 'That code did not work. Check the time on your phone and try the next code.',
  MFA_TOTP_ALREADY_ENABLED: 'An authenticator app is already set up. Remove it first.',
  MFA_TOTP_NOT_STARTED: 'Start the set-up again: the earlier one was replaced or removed.',
  PASSKEY_CANCELLED:
    'The passkey was not used: the request was cancelled or timed out. Try again when ready.',
  PASSKEY_UNAVAILABLE: 'This browser or device cannot use a passkey here. Use another way in.',
  SIGN_IN_TENANT_MISSING: "Enter your organisation's short name first, then use your passkey.",
  MFA_PASSKEY_CHALLENGE_INVALID: 'That passkey request has expired. Try again.',
  MFA_PASSKEY_REGISTRATION_INVALID:
    'Your passkey could not be checked. Try again or use another one.',
  MFA_PASSKEY_ALREADY_REGISTERED: 'This passkey is already registered to your account.',
  MFA_PASSKEY_LIMIT_REACHED:
    'You have as many passkeys as allowed. Remove one before adding another.',
  MFA_PASSKEY_NAME_INVALID: 'Give the passkey a name of 1 to 64 characters.',
  MFA_TOTP_NOT_FOUND: 'No authenticator app is set up any more. Reload the page.',
  MFA_PASSKEY_NOT_FOUND: 'That passkey was already removed. Reload the page.',
  IDENTITY_EMAIL_ALREADY_VERIFIED: 'Your e-mail address is already verified.',
  IDENTITY_EMAIL_TOO_MANY:
    'Several verification mails were sent recently. Wait a while, then ask again.',
  REQUEST_MALFORMED_JSON: 'The file or text sent is not valid JSON.',
  REQUEST_UNSUPPORTED_MEDIA_TYPE: 'That kind of file cannot be sent here.',
  MFA_REQUIRED_BY_POLICY:
    'Your organisation requires a second factor, so the last one cannot be removed.',
  ...ADMIN_MESSAGES,
  ...AUDIT_MESSAGES,
  ...VAULT_MESSAGES,
  ...DATA_MESSAGES,
  ...DASHBOARDS_MESSAGES,
}

/** REQUEST_INVALID from the schema: name the field when the API says which one. */
function invalidField(details: unknown): string | null {
  if (!Array.isArray(details)) return null
  const first = details[0] as { instancePath?: unknown } | undefined
  const path = typeof first?.instancePath === 'string' ? first.instancePath.slice(1) : ''
  return path ? path.replaceAll('/', ' ') : null
}

export function messageFor(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Try again.'
  if (error.code === 'IDENTITY_PASSWORD_WEAK')
    return `That password is too easy to guess. ${error.message}`
  if (error.code === 'REQUEST_INVALID') {
    const field = invalidField(error.details)
    if (field) return `Check the ${field} field: ${error.message}`
  }
  return MESSAGES[error.code] ?? error.message
}
