// The Administration area's start: a card for each admin screen the user's role reaches
// (AUTHZ-1). The API guards every screen anyway; this only keeps out of sight what it would refuse.
import { Link } from 'wouter'
import { useTitle } from '../../components/shell.tsx'
import { Empty } from '../../components/ui.tsx'
import { useCan } from '../../session.tsx'
import './people.css'

interface Card {
  href: string
  title: string
  text: string
  /** Shown to roles holding any of these. */
  permissions: string[]
}

const CARDS: Card[] = [
  {
    href: '/members',
    title: 'Users and invitations',
    text: 'Invite people, change roles, deactivate or remove users, reset second factors and end sessions.',
    permissions: ['users.read'],
  },
  {
    href: '/roles',
    title: 'Roles',
    text: 'The five roles and what each of them allows.',
    permissions: ['users.read'],
  },
  {
    href: '/groups',
    title: 'Groups and grants',
    text: 'Groups of people, and the collections and dashboards each group may view or edit.',
    permissions: ['groups.read'],
  },
  {
    href: '/network',
    title: 'IP allowlist',
    text: 'The addresses people and API keys may reach Rampart from.',
    permissions: ['tenant.security.manage'],
  },
  {
    href: '/security',
    title: 'MFA policy',
    text: 'Whether owners, admins or everyone must use a second factor.',
    permissions: ['tenant.security.manage'],
  },
  {
    href: '/api-keys',
    title: 'API keys',
    text: 'Keys for scripts and integrations, scoped to a part of your permissions.',
    permissions: ['api_keys.create', 'api_keys.manage'],
  },
  {
    href: '/access-reviews',
    title: 'Access reviews',
    text: 'Periodic reviews of who has access, with their evidence.',
    permissions: ['access_reviews.read'],
  },
]

export function AdminOverview() {
  useTitle('Administration')
  const can = useCan()
  const cards = CARDS.filter((card) => can(...card.permissions))
  return (
    <>
      <h1>Administration</h1>
      {cards.length === 0 ? (
        <Empty>Your role has no administration screens.</Empty>
      ) : (
        <ul className="people-cards">
          {cards.map((card) => (
            <li key={card.href} className="panel">
              <h2>
                <Link href={card.href}>{card.title}</Link>
              </h2>
              <p>{card.text}</p>
            </li>
          ))}
        </ul>
      )}
    </>
  )
}
