// Administration (placeholder until built).
import { useTitle } from '../../components/shell.tsx'

export function AdminOverview() {
  useTitle('Administration')
  return <h1>Administration</h1>
}
