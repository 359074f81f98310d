// The Credentials area: its screens under /vault, routed relative to it (nested in app.tsx).
import { ComingSoon } from '../coming-soon.tsx'

export function VaultArea() {
  return <ComingSoon area="vault" />
}
