// The Credentials area: its screens under /vault, routed relative to it (nested in app.tsx).
// Every path here is also in src/http/console.ts's CONSOLE_PAGES.
import { Route, Switch } from 'wouter'
import { AreaNotFound } from '../not-found.tsx'
import { Credentials } from './credentials.tsx'

export function VaultArea() {
  return (
    <Switch>
      <Route path="/" component={Credentials} />
      <Route component={AreaNotFound} />
    </Switch>
  )
}
