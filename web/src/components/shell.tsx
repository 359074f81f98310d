// The signed-in frame: organisation, navigation (the areas the role reaches), sign-out.
import { type ReactNode, useEffect, useRef } from 'react'
import { Link, useLocation } from 'wouter'
import { useCan, useMe, useSession } from '../session.tsx'
import { ErrorBoundary } from './error-boundary.tsx'

interface NavItem {
  href: string
  label: string
  /** Shown to roles holding any of these (AUTHZ-1); always shown when absent. */
  permissions?: string[]
}

const NAV: NavItem[] = [
  { href: '/', label: 'Home' },
  { href: '/account', label: 'My account' },
  {
    href: '/admin',
    label: 'Administration',
    permissions: [
      'users.read',
      'groups.read',
      'tenant.security.manage',
      'api_keys.create',
      'api_keys.manage',
      'access_reviews.read',
    ],
  },
  { href: '/audit', label: 'Audit log', permissions: ['audit.read'] },
  { href: '/vault', label: 'Credentials', permissions: ['vault.manage'] },
  { href: '/data', label: 'Data', permissions: ['data.manage', 'records.read'] },
  { href: '/dashboards', label: 'Dashboards', permissions: ['data.manage', 'dashboards.read'] },
]

/** The areas the signed-in user's role reaches. */
export function useNav(): NavItem[] {
  const can = useCan()
  return NAV.filter((item) => !item.permissions || can(...item.permissions))
}

function isActive(href: string, location: string): boolean {
  return href === '/' ? location === '/' : location === href || location.startsWith(`${href}/`)
}

export function Shell({ children }: { children: ReactNode }) {
  const me = useMe()
  const { signOut } = useSession()
  const [location] = useLocation()
  const main = useRef<HTMLElement>(null)
  // Screen readers and keyboards start at the new page's content after a client-side move.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every change of location
  useEffect(() => {
    main.current?.focus({ preventScroll: true })
  }, [location])
  const enrolmentOnly = me.session.scope === 'mfa_enrolment'
  const nav = useNav()
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Rampart</span>
        <span className="organisation" title="Organisation">
          {me.tenant.name}
        </span>
        <span className="who">{me.user.email}</span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      {enrolmentOnly ? null : (
        <nav aria-label="Main">
          <ul>
            {nav.map((item) => (
              <li key={item.href}>
                <Link
                  href={item.href}
                  aria-current={isActive(item.href, location) ? 'page' : undefined}
                >
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="main" ref={main} tabIndex={-1}>
        {/* Keyed by location: moving to another screen tries again. */}
        <ErrorBoundary key={location}>{children}</ErrorBoundary>
      </main>
    </div>
  )
}

/** The frame of the screens used before signing in. */
export function PublicFrame({ title, children }: { title: string; children: ReactNode }) {
  useTitle(title)
  return (
    <div className="public">
      <main id="main" className="card">
        <p className="brand">Rampart</p>
        <h1>{title}</h1>
        {children}
      </main>
    </div>
  )
}

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Rampart`
  }, [title])
}
