// KMS-3: the kinds of credential and the secret fields each takes, as the API checks them in
// src/modules/vault/vault.kinds.ts (which the browser cannot import: it throws the server's
// errors). test/browser/audit-vault.test.ts fails when the two lists part.

export type CredentialKind = 'api_key' | 'basic' | 'oauth_client' | 'smtp' | 'generic'

export interface KindInfo {
  kind: CredentialKind
  label: string
  /** The fields the kind needs, in the API's order; null for `generic` (any 1 to MAX_FIELDS). */
  fields: { name: string; label: string }[] | null
}

export const KINDS: readonly KindInfo[] = [
  { kind: 'api_key', label: 'API key', fields: [{ name: 'key', label: 'Key' }] },
  {
    kind: 'basic',
    label: 'User name and password',
    fields: [
      { name: 'username', label: 'User name' },
      { name: 'password', label: 'Password' },
    ],
  },
  {
    kind: 'oauth_client',
    label: 'OAuth client',
    fields: [
      { name: 'clientId', label: 'Client id' },
      { name: 'clientSecret', label: 'Client secret' },
    ],
  },
  {
    kind: 'smtp',
    label: 'SMTP server',
    fields: [
      { name: 'host', label: 'Host' },
      { name: 'port', label: 'Port' },
      { name: 'username', label: 'User name' },
      { name: 'password', label: 'Password' },
    ],
  },
  { kind: 'generic', label: 'Other (your own fields)', fields: null },
]

export const MAX_FIELDS = 20
export const FIELD_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_]{0,62}$'

export function kindInfo(kind: string): KindInfo {
  return KINDS.find((k) => k.kind === kind) ?? (KINDS.at(-1) as KindInfo)
}
