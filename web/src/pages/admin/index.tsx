// The Administration area: its screens under /admin, routed relative to it (nested in app.tsx).
// Every path here is also in src/http/console.ts's CONSOLE_PAGES.
import { Route, Switch } from 'wouter'
import { AreaNotFound } from '../not-found.tsx'
import { AccessReview } from './access-review.tsx'
import { AccessReviews } from './access-reviews.tsx'
import { ApiKeys } from './api-keys.tsx'
import { Group } from './group.tsx'
import { Groups } from './groups.tsx'
import { Members } from './members.tsx'
import { Network } from './network.tsx'
import { AdminOverview } from './overview.tsx'
import { Roles } from './roles.tsx'
import { SecurityPolicy } from './security.tsx'

export function AdminArea() {
  return (
    <Switch>
      <Route path="/" component={AdminOverview} />
      <Route path="/members" component={Members} />
      <Route path="/roles" component={Roles} />
      <Route path="/groups" component={Groups} />
      <Route path="/groups/:groupId" component={Group} />
      <Route path="/network" component={Network} />
      <Route path="/api-keys" component={ApiKeys} />
      <Route path="/access-reviews" component={AccessReviews} />
      <Route path="/access-reviews/:reviewId" component={AccessReview} />
      <Route path="/security" component={SecurityPolicy} />
      <Route component={AreaNotFound} />
    </Switch>
  )
}
