// Access review (placeholder until built).
import { useTitle } from '../../components/shell.tsx'

export function AccessReview() {
  useTitle('Access review')
  return <h1>Access review</h1>
}
