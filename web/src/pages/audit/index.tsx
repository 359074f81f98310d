// The Audit log area: its screens under /audit, routed relative to it (nested in app.tsx).
import { ComingSoon } from '../coming-soon.tsx'

export function AuditArea() {
  return <ComingSoon area="audit" />
}
