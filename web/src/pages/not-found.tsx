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

/** Inside an area's nested routes: the signed-in frame stays, links are absolute (`~/`). */
export function AreaNotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>There is no page at this address.</p>
      <p>
        <Link href="~/">Go to the start page</Link>
      </p>
    </>
  )
}
