// The Data area: its screens under /data, routed relative to it (nested in app.tsx).
import { ComingSoon } from '../coming-soon.tsx'

export function DataArea() {
  return <ComingSoon area="data" />
}
