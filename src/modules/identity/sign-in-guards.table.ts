import type { Generated } from 'kysely'

/** IAM-3: consecutive sign-in failures of one account. */
export interface SignInGuardsTable {
  tenant_id: string
  user_id: string
  failures: Generated<number>
  locked_until: Date | null
  lockouts: Generated<number>
}

/** IAM-3: a browser that signed in before, with a failure counter of its own. */
export interface KnownDevicesTable {
  id: string
  tenant_id: string
  user_id: string
  /** SHA-256 of the device cookie, hex. */
  token_hash: string
  failures: Generated<number>
  locked_until: Date | null
  lockouts: Generated<number>
  created_at: Generated<Date>
  last_used_at: Generated<Date>
}
