// Messages for the error codes of the audit screens (web/src/pages/audit/), merged in messages.ts.
// Codes from src/modules/audit/errors.ts.
export const AUDIT_MESSAGES: Record<string, string> = {
  AUDIT_ENTRY_NOT_FOUND: 'There is no entry with that number in the log.',
  AUDIT_CHECKPOINT_NOT_FOUND:
    'No signed checkpoint covers this entry yet. One is signed within a second of new entries: try again shortly.',
  AUDIT_RANGE_INVALID: 'Those log sizes are out of range.',
  AUDIT_CURSOR_INVALID: 'The list changed while you paged through it. Apply the filters again.',
}
