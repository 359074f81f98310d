import { defineErrors } from '../../http/errors.ts'

export const AuditErrors = defineErrors({
  AUDIT_ENTRY_NOT_FOUND: { status: 404, message: 'No audit entry with that index' },
  AUDIT_CHECKPOINT_NOT_FOUND: {
    status: 404,
    message: 'No signed checkpoint covers that size yet; retry in a second',
  },
  AUDIT_RANGE_INVALID: { status: 422, message: 'The tree sizes are out of range' },
  AUDIT_CURSOR_INVALID: { status: 400, message: 'The cursor is not one this API returned' },
})
