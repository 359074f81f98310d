// KMS-3: the kinds of credential and the secret fields each takes.
import { VaultErrors } from './errors.ts'

export const CREDENTIAL_KINDS = ['api_key', 'basic', 'oauth_client', 'smtp', 'generic'] as const
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number]

/**
 * A secret field name. At most 63 characters, so that its lower-case form fits the audit log's
 * field-name pattern (LOG-1), where it is recorded.
 */
export const FIELD_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_]{0,62}$'
export const MAX_NAME_LENGTH = 200
export const MAX_FIELDS = 20
export const MAX_VALUE_LENGTH = 8192

/** Every fixed kind needs exactly these fields; `generic` takes any 1 to MAX_FIELDS names. */
const FIXED_FIELDS: Record<Exclude<CredentialKind, 'generic'>, readonly string[]> = {
  api_key: ['key'],
  basic: ['username', 'password'],
  oauth_client: ['clientId', 'clientSecret'],
  smtp: ['host', 'port', 'username', 'password'],
}

/**
 * The secret's field names, checked against the kind, in a stable order (the kind's own for
 * fixed kinds, as given for `generic`). Shape and value lengths are the route schema's job.
 */
export function checkSecretFields(kind: CredentialKind, secret: Record<string, string>): string[] {
  const given = Object.keys(secret)
  if (kind === 'generic') {
    // Names that differ only in case would share one audit name and confuse whoever reads them.
    const seen = new Set<string>()
    for (const field of given) {
      if (seen.has(field.toLowerCase())) {
        throw VaultErrors.VAULT_FIELD_DUPLICATE(
          `The field name "${field}" differs from another only in letter case`,
          { field },
        )
      }
      seen.add(field.toLowerCase())
    }
    return given
  }
  const wanted = FIXED_FIELDS[kind]
  for (const field of given) {
    if (!wanted.includes(field)) {
      throw VaultErrors.VAULT_FIELD_UNKNOWN(
        `A ${kind} credential has no field "${field}"; it takes ${wanted.join(', ')}`,
        { field },
      )
    }
  }
  for (const field of wanted) {
    if (!given.includes(field)) {
      throw VaultErrors.VAULT_FIELD_MISSING(`A ${kind} credential needs the field "${field}"`, {
        field,
      })
    }
  }
  return [...wanted]
}

/**
 * LOG-1: the names the audit log records for a secret's fields. Its field-name alphabet is lower
 * case, and names within one secret never differ only in case, so nothing collides.
 */
export function auditFieldNames(fieldNames: readonly string[]): string[] {
  return fieldNames.map((f) => f.toLowerCase())
}
