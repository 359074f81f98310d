import type { ColumnType, Generated, Selectable } from 'kysely'
import type { WidgetDefinition } from './dashboards.widgets.ts'

/** jsonb holding the widget definitions (an array), written as JSON text. */
type WidgetsColumn = ColumnType<WidgetDefinition[], string, string>

/** DATA-1: a dashboard: widgets over collections, computed when viewed. */
export interface DashboardsTable {
  id: string
  tenant_id: string
  name: string
  description: string | null
  widgets: WidgetsColumn
  /** How often a kiosk page of it reloads itself. */
  refresh_seconds: Generated<number>
  /** 1 when created, plus one per change (optimistic concurrency). */
  version: Generated<number>
  created_by: string | null
  created_at: Generated<Date>
  updated_by: string | null
  updated_at: Generated<Date>
}

export type DashboardRow = Selectable<DashboardsTable>
