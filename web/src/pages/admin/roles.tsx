// Roles (placeholder until built).
import { useTitle } from '../../components/shell.tsx'

export function Roles() {
  useTitle('Roles')
  return <h1>Roles</h1>
}
