// Messages for the error codes of the audit screens (web/src/pages/audit/), merged in messages.ts.
export const AUDIT_MESSAGES: Record<string, string> = {}
