// The Data area's own links: collections, and recently deleted for those who may restore (DATA-4).
import { Link, useLocation } from 'wouter'
import { useCan } from '../../session.tsx'

export function DataNav() {
  const can = useCan()
  const [location] = useLocation()
  return (
    <nav aria-label="Data" className="data-nav">
      {/* Absolute: "/" inside the nest would be /data/, which is not a console page. */}
      <Link href="~/data" aria-current={location === '/' ? 'page' : undefined}>
        Collections
      </Link>
      {can('data.manage') ? (
        <Link
          href="/recently-deleted"
          aria-current={location === '/recently-deleted' ? 'page' : undefined}
        >
          Recently deleted
        </Link>
      ) : null}
    </nav>
  )
}
