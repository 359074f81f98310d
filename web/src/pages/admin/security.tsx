// Sign-in security (placeholder until built).
import { useTitle } from '../../components/shell.tsx'

export function SecurityPolicy() {
  useTitle('Sign-in security')
  return <h1>Sign-in security</h1>
}
