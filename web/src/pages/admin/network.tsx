// IP allowlist (placeholder until built).
import { useTitle } from '../../components/shell.tsx'

export function Network() {
  useTitle('IP allowlist')
  return <h1>IP allowlist</h1>
}
