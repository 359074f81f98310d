import { defineErrors } from '../../http/errors.ts'

// The access module's codes: the IP allowlist (IAM-8) and API keys (IAM-9).
export const AccessErrors = defineErrors({
  ACCESS_CIDR_INVALID: {
    status: 422,
    message: 'An entry is not a valid IPv4 or IPv6 address or CIDR range',
  },
  ACCESS_CIDR_DUPLICATE: { status: 422, message: 'An entry repeats an earlier range' },
  ACCESS_LABEL_INVALID: {
    status: 422,
    message: 'A label has at most 64 characters, none of them control characters',
  },
  ACCESS_ALLOWLIST_LOCKS_YOU_OUT: {
    status: 409,
    message: 'The list does not include your current address; saving it would lock you out',
  },
  ACCESS_IP_NOT_ALLOWED: {
    status: 403,
    message: 'Your organisation does not allow access from this address',
  },
  ACCESS_API_KEY_NOT_FOUND: { status: 404, message: 'No API key with that id' },
  ACCESS_API_KEY_NAME_INVALID: {
    status: 422,
    message: 'A key name has 1 to 100 characters, none of them control characters',
  },
  ACCESS_API_KEY_SCOPE_INVALID: {
    status: 422,
    message:
      'The scope must list one or more known permissions, each once; owners.manage is never given to a key',
  },
  ACCESS_API_KEY_SCOPE_EXCEEDS_ROLE: {
    status: 403,
    message: 'A key can only carry permissions you hold yourself',
  },
  ACCESS_API_KEY_LIMIT: {
    status: 409,
    message: 'You have 50 live API keys; revoke one before creating another',
  },
})
