import { defineErrors } from '../../http/errors.ts'

export const VaultErrors = defineErrors({
  VAULT_CREDENTIAL_NOT_FOUND: { status: 404, message: 'No credential with that id' },
  VAULT_NAME_TAKEN: { status: 409, message: 'Another credential already has that name' },
  VAULT_NAME_INVALID: {
    status: 422,
    message: 'The name needs 1 to 200 characters once trimmed and NFC-normalised',
  },
  VAULT_FIELD_UNKNOWN: { status: 422, message: 'The secret has a field its kind does not take' },
  VAULT_FIELD_MISSING: { status: 422, message: 'The secret lacks a field its kind needs' },
  VAULT_FIELD_DUPLICATE: {
    status: 422,
    message: 'Two field names of the secret differ only in letter case',
  },
  VAULT_CURSOR_INVALID: { status: 400, message: 'The cursor is not one this API returned' },
  // KMS-5: a crypto-shredded tenant (or one without a key) can neither store nor read secrets.
  VAULT_KEY_UNAVAILABLE: {
    status: 409,
    message: "The organisation's encryption key is unavailable; no secret can be stored",
  },
  VAULT_SECRET_UNREADABLE: {
    status: 409,
    message: 'The stored secret cannot be decrypted: its key is gone, or it was altered or moved',
  },
})
