// The Administration area: its screens under /admin, routed relative to it (nested in app.tsx).
import { ComingSoon } from '../coming-soon.tsx'

export function AdminArea() {
  return <ComingSoon area="admin" />
}
