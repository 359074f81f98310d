// Messages for the error codes of the vault screens (web/src/pages/vault/), merged in messages.ts.
export const VAULT_MESSAGES: Record<string, string> = {}
