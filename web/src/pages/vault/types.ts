// The answers of the vault API (src/modules/vault/vault.routes.ts): metadata only, never secrets.
import type { CredentialKind } from './kinds.ts'

export interface Credential {
  id: string
  name: string
  kind: CredentialKind
  /** Names of the secret's fields, never their values. */
  fields: string[]
  secretVersion: number
  createdAt: string
  updatedAt: string
  lastUsedAt: string | null
}
