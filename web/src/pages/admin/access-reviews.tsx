// Access reviews (placeholder until built).
import { useTitle } from '../../components/shell.tsx'

export function AccessReviews() {
  useTitle('Access reviews')
  return <h1>Access reviews</h1>
}
