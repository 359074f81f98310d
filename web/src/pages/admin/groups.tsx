// Groups (placeholder until built).
import { useTitle } from '../../components/shell.tsx'

export function Groups() {
  useTitle('Groups')
  return <h1>Groups</h1>
}
