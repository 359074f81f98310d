import type { Generated, Insertable, Selectable } from 'kysely'

/** IAM-9: an API key; the key itself is shown once and never stored. */
export interface ApiKeysTable {
  id: string
  tenant_id: string
  /** The user the key acts for; it can never do more than their role allows now. */
  user_id: string
  name: string
  /** `rk_` and the next 8 characters, for telling keys apart. */
  prefix: string
  /** SHA-256 of the whole key, hex. */
  token_hash: string
  /** The key's scope: permission names, a subset of the creator's at creation. */
  permissions: string[]
  created_at: Generated<Date>
  expires_at: Date
  /** Written at most once a minute. */
  last_used_at: Date | null
  last_used_ip: string | null
  revoked_at: Date | null
  revoked_by: string | null
}

export type ApiKeyRow = Selectable<ApiKeysTable>
export type NewApiKeyRow = Insertable<ApiKeysTable>
