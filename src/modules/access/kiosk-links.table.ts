import type { Generated, Insertable, Selectable } from 'kysely'

/** AUTHZ-3: a public, read-only link to some of an organisation's dashboards. */
export interface KioskLinksTable {
  id: string
  tenant_id: string
  name: string
  /** `kl_` and the token's next 8 characters: tells links apart, not enough to guess one. */
  prefix: string
  /** SHA-256 of the token, hex; the token itself is never stored. */
  token_hash: string
  /** Normalised CIDR ranges the link may be opened from; empty: anywhere. */
  ip_allowlist: string[]
  created_by: string | null
  created_at: Generated<Date>
  expires_at: Date | null
  revoked_at: Date | null
  revoked_by: string | null
  last_viewed_at: Date | null
}

/** The dashboards a link shows, in order. */
export interface KioskLinkDashboardsTable {
  tenant_id: string
  link_id: string
  dashboard_id: string
  position: number
}

/** Platform level: failed guesses from one client (IPv4 address or IPv6 /64 network). */
export interface KioskGuardsTable {
  client: string
  failures: number
  window_started_at: Generated<Date>
  blocked_until: Date | null
}

export type KioskLinkRow = Selectable<KioskLinksTable>
export type NewKioskLinkRow = Insertable<KioskLinksTable>
