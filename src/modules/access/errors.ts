import { defineErrors } from '../../http/errors.ts'

// IAM-8: the access module's codes (the organisation's IP allowlist).
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
})
