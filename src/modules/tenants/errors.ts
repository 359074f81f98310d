import { defineErrors } from '../../http/errors.ts'

export const TenantErrors = defineErrors({
  TENANT_SLUG_TAKEN: { status: 409, message: 'That organisation slug is already taken' },
  TENANT_SLUG_RESERVED: { status: 422, message: 'That organisation slug is reserved' },
  TENANT_REGION_UNKNOWN: { status: 422, message: 'That region is not offered here' },
})
