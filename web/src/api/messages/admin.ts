// Messages for the error codes of the admin screens (web/src/pages/admin/), merged in messages.ts.
export const ADMIN_MESSAGES: Record<string, string> = {}
