// The signed-in start page: who and where you are, and what to do next.
import { Link } from 'wouter'
import type { MfaState } from '../api/types.ts'
import { useApi } from '../api/use-api.ts'
import { useNav, useTitle } from '../components/shell.tsx'
import { ErrorMessage, Loading } from '../components/ui.tsx'
import { useMe } from '../session.tsx'

export function Home() {
  useTitle('Home')
  const me = useMe()
  const nav = useNav()
  const { data: mfa, error } = useApi<MfaState>('/api/v1/me/mfa')
  const hasSecondFactor = Boolean(mfa?.totp?.enabled || (mfa?.passkeys.count ?? 0) > 0)
  return (
    <>
      <h1>Welcome to {me.tenant.name}</h1>
      <p>
        You are signed in as <strong>{me.user.email}</strong>, with the role{' '}
        <strong>{me.user.role}</strong>.
      </p>
      <section aria-labelledby="security-heading" className="panel">
        <h2 id="security-heading">Your account's security</h2>
        <ErrorMessage error={error} />
        {!mfa && !error ? <Loading /> : null}
        {mfa && !hasSecondFactor ? (
          <p className="notice warning">
            You have no second factor yet. <Link href="/account/mfa">Set one up now</Link>: it keeps
            your account safe even if your password leaks.
          </p>
        ) : null}
        {mfa && hasSecondFactor ? (
          <p>
            Second factor on. <Link href="/account">Review your sessions and devices</Link>.
          </p>
        ) : null}
        {!me.user.emailVerified ? (
          <p className="notice warning">
            Your e-mail address is not verified yet. <Link href="/account">Verify it</Link>.
          </p>
        ) : null}
      </section>
      <section aria-labelledby="areas-heading" className="panel">
        <h2 id="areas-heading">Areas</h2>
        <ul className="areas">
          {nav
            .filter((item) => item.href !== '/')
            .map((item) => (
              <li key={item.href}>
                <Link href={item.href}>{item.label}</Link>
              </li>
            ))}
        </ul>
      </section>
    </>
  )
}
