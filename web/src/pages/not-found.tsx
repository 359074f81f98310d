import { Link } from 'wouter'
import { PublicFrame } from '../components/shell.tsx'

export function NotFound() {
  return (
    <PublicFrame title="Page not found">
      <p>There is no page at this address.</p>
      <p>
        <Link href="/">Go to the console</Link>
      </p>
    </PublicFrame>
  )
}
