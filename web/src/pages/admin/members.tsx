// Users and invitations (placeholder until built).
import { useTitle } from '../../components/shell.tsx'

export function Members() {
  useTitle('Users and invitations')
  return <h1>Users and invitations</h1>
}
