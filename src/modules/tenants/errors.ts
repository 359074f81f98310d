import { defineErrors } from '../../http/errors.ts'

export const TenantErrors = defineErrors({
  TENANT_SLUG_TAKEN: { status: 409, message: 'That organisation slug is already taken' },
  TENANT_SLUG_RESERVED: { status: 422, message: 'That organisation slug is reserved' },
  TENANT_REGION_UNKNOWN: { status: 422, message: 'That region is not offered here' },
  // KMS-5, DATA-4: deleting an organisation.
  TENANT_NOT_FOUND: { status: 404, message: 'No such organisation' },
  TENANT_DELETION_PENDING: {
    status: 409,
    message: 'The organisation is already pending deletion',
  },
  TENANT_DELETION_NOT_PENDING: {
    status: 409,
    message: 'The organisation is not pending deletion',
  },
  TENANT_DELETION_STARTED: {
    status: 409,
    message:
      "The deletion has begun and the organisation's key is destroyed: it cannot be cancelled",
  },
  TENANT_TERMINATED: { status: 409, message: 'The organisation was deleted' },
})
