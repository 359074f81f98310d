// AUTHZ-3: the codes of kiosk links (docs/kiosk-links.md lists them). A presented token that is
// unknown, revoked, expired or not allowed from the caller's address gets one answer, so the
// answer tells a guesser nothing about which tokens exist.
import { defineErrors } from '../../http/errors.ts'

export const KioskErrors = defineErrors({
  ACCESS_KIOSK_NOT_FOUND: {
    status: 404,
    message: 'This kiosk link does not exist, has expired or was revoked',
  },
  ACCESS_KIOSK_THROTTLED: {
    status: 429,
    message:
      'Too many failed kiosk-link attempts from your address; retry after Retry-After seconds',
  },
  ACCESS_KIOSK_BLOCKED: {
    status: 429,
    message: 'Your address is blocked after too many failed kiosk-link attempts',
  },
  ACCESS_KIOSK_LINK_NOT_FOUND: { status: 404, message: 'No kiosk link with that id' },
  ACCESS_KIOSK_NAME_INVALID: {
    status: 422,
    message:
      'A kiosk link name has 1 to 100 characters, none of them control or direction characters',
  },
  ACCESS_KIOSK_DASHBOARD_NOT_FOUND: {
    status: 422,
    message: 'A dashboard id is not one of your organisation; details.index is its position',
  },
  ACCESS_KIOSK_DASHBOARDS_INVALID: {
    status: 422,
    message: 'A kiosk link shows 1 to 20 dashboards, each once',
  },
  ACCESS_KIOSK_EXPIRY_INVALID: {
    status: 422,
    message: 'expiresAt must be in the future and at most 5 years ahead',
  },
  ACCESS_KIOSK_CIDR_INVALID: {
    status: 422,
    message:
      'An IP allowlist entry is not a valid IPv4 or IPv6 address or CIDR range, or repeats one; details.index is its position',
  },
  ACCESS_KIOSK_LIMIT_REACHED: {
    status: 409,
    message: 'The organisation has as many live kiosk links as allowed; revoke one first',
  },
})
