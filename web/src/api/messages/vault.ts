// Messages for the error codes of the vault screens (web/src/pages/vault/), merged in messages.ts.
// Codes from src/modules/vault/errors.ts.
export const VAULT_MESSAGES: Record<string, string> = {
  VAULT_CREDENTIAL_NOT_FOUND: 'That credential no longer exists. It may have just been deleted.',
  VAULT_NAME_TAKEN: 'Another credential already has that name. Choose another.',
  VAULT_NAME_INVALID: 'The name needs 1 to 200 characters, not counting spaces at either end.',
  VAULT_FIELD_UNKNOWN: 'The secret has a field this kind of credential does not take.',
  VAULT_FIELD_MISSING: 'Fill in every field of the secret.',
  VAULT_FIELD_DUPLICATE:
    'Two field names differ only in capital and small letters. Give each field its own name.',
  VAULT_CURSOR_INVALID: 'The list changed while you paged through it. Reload the page.',
  VAULT_KEY_UNAVAILABLE:
    "Your organisation's encryption key is unavailable, so no secret can be stored. Ask your administrator.",
  VAULT_SECRET_UNREADABLE:
    'The stored secret can no longer be decrypted. Replace it with a new one.',
}
