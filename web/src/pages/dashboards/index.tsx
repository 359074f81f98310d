// The Dashboards area: its screens under /dashboards, routed relative to it (nested in app.tsx).
// Every path here is also in src/http/console.ts's CONSOLE_PAGES.
import { Route, Switch } from 'wouter'
import { AreaNotFound } from '../not-found.tsx'
import { DashboardScreen } from './dashboard.tsx'
import './dashboards.css'
import { DashboardList } from './list.tsx'

export function DashboardsArea() {
  return (
    <Switch>
      <Route path="/" component={DashboardList} />
      <Route path="/:dashboardId" component={DashboardScreen} />
      <Route component={AreaNotFound} />
    </Switch>
  )
}
