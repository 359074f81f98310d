// API keys (placeholder until built).
import { useTitle } from '../../components/shell.tsx'

export function ApiKeys() {
  useTitle('API keys')
  return <h1>API keys</h1>
}
