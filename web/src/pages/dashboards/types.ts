// Shapes of the dashboard and kiosk-link answers these screens read (docs/dashboards.md,
// docs/kiosk-links.md; /docs/json is the source). Collections: api/collections.ts; groups and
// grants: api/grants.ts.

export type Aggregate = 'count' | 'sum' | 'avg' | 'min' | 'max'
export type Interval = 'day' | 'week' | 'month'

export interface WidgetRange {
  lastDays?: number
  from?: string
  to?: string
}

export interface Widget {
  title: string
  collectionId: string
  aggregate: Aggregate
  field?: string
  groupBy?: string
  interval?: Interval
  timeField?: string
  range?: WidgetRange
  minGroupSize?: number
}

export interface Dashboard {
  id: string
  name: string
  description: string | null
  refreshSeconds: number
  version: number
  widgets: Widget[]
  createdBy: string | null
  createdAt: string
  updatedBy: string | null
  updatedAt: string
}

export interface DashboardSummary {
  id: string
  name: string
  description: string | null
  widgetCount: number
  updatedAt: string
}

export interface ResultGroup {
  period?: string | null
  label?: string | null
  value: number
}

export interface WidgetResult {
  index: number
  title: string
  collectionId: string
  collectionName: string | null
  aggregate: Aggregate
  field: string | null
  groupBy: string | null
  interval: Interval | null
  threshold: number
  status: 'ok' | 'error'
  error?: { code: string; message: string; field?: string }
  /** Ungrouped widgets; null when suppressed. */
  value?: number | null
  groups?: ResultGroup[]
  suppressed?: number
  omitted?: number
}

export interface DashboardResults {
  dashboardId: string
  name: string
  refreshSeconds: number
  generatedAt: string
  widgets: WidgetResult[]
}

export interface DashboardAccess {
  view: boolean
  edit: boolean
}

export interface KioskLink {
  id: string
  name: string
  prefix: string
  dashboardIds: string[]
  ipAllowlist: string[]
  createdAt: string
  expiresAt: string | null
  revokedAt: string | null
  lastViewedAt: string | null
  status: 'active' | 'expired' | 'revoked'
}
