// The Data area: its screens under /data, routed relative to it (nested in app.tsx). Every path
// here is also in src/http/console.ts's CONSOLE_PAGES. docs/console-data.md describes them.
import './data.css'
import { Route, Switch } from 'wouter'
import { AreaNotFound } from '../not-found.tsx'
import { CollectionScreen } from './collection.tsx'
import { Collections } from './collections.tsx'
import { Import } from './import.tsx'
import { RecentlyDeleted } from './recently-deleted.tsx'
import { Records } from './records.tsx'

export function DataArea() {
  return (
    // The wrapper scopes data.css: the area's styles reach its own screens only.
    <div className="data-area">
      <Switch>
        <Route path="/" component={Collections} />
        <Route path="/collections/:collectionId" component={CollectionScreen} />
        <Route path="/collections/:collectionId/records" component={Records} />
        <Route path="/collections/:collectionId/import" component={Import} />
        <Route path="/recently-deleted" component={RecentlyDeleted} />
        <Route component={AreaNotFound} />
      </Switch>
    </div>
  )
}
