// Group (placeholder until built).
import { useTitle } from '../../components/shell.tsx'

export function Group() {
  useTitle('Group')
  return <h1>Group</h1>
}
