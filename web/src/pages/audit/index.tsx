// The Audit log area: its screens under /audit, routed relative to it (nested in app.tsx).
// Every path here is also in src/http/console.ts's CONSOLE_PAGES.
import { Route, Switch } from 'wouter'
import { AreaNotFound } from '../not-found.tsx'
import { AuditLog } from './audit-log.tsx'

export function AuditArea() {
  return (
    <Switch>
      <Route path="/" component={AuditLog} />
      <Route component={AreaNotFound} />
    </Switch>
  )
}
