// The Dashboards area: its screens under /dashboards, routed relative to it (nested in app.tsx).
import { ComingSoon } from '../coming-soon.tsx'

export function DashboardsArea() {
  return <ComingSoon area="dashboards" />
}
