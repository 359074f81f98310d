// The console's screens and who may see them. Every path here is also a console page of the
// server (src/http/console.ts), which answers index.html for it.
import type { ReactNode } from 'react'
import { Redirect, Route, Switch, useLocation } from 'wouter'
import { ErrorBoundary } from './components/error-boundary.tsx'
import { PublicFrame, Shell } from './components/shell.tsx'
import { StepUpProvider } from './components/step-up.tsx'
import { ErrorMessage, Loading, useAction } from './components/ui.tsx'
import { AcceptInvitation } from './pages/accept-invitation.tsx'
import { Account } from './pages/account.tsx'
import { AdminArea } from './pages/admin/index.tsx'
import { AuditArea } from './pages/audit/index.tsx'
import { DashboardsArea } from './pages/dashboards/index.tsx'
import { DataArea } from './pages/data/index.tsx'
import { Home } from './pages/home.tsx'
import { MfaSetup } from './pages/mfa-setup.tsx'
import { NotFound } from './pages/not-found.tsx'
import { ResetPassword } from './pages/reset-password.tsx'
import { SignIn } from './pages/sign-in.tsx'
import { SignUp } from './pages/sign-up.tsx'
import { VaultArea } from './pages/vault/index.tsx'
import { VerifyEmail } from './pages/verify-email.tsx'
import { SessionProvider, useSession } from './session.tsx'

const MFA_SETUP = '/account/mfa'

const AREAS = [
  ['/admin', AdminArea],
  ['/audit', AuditArea],
  ['/vault', VaultArea],
  ['/data', DataArea],
  ['/dashboards', DashboardsArea],
] as const

/** Screens for signed-in users; an enrolment-only session is kept on the MFA set-up (IAM-4). */
function SignedIn({ children }: { children: ReactNode }) {
  const { state } = useSession()
  const [location] = useLocation()
  if (state.status === 'loading') return <Loading />
  if (state.status === 'unavailable') return <Unavailable error={state.error} />
  if (state.status === 'signed-out') {
    const query = new URLSearchParams({ next: location })
    if (state.expired) query.set('expired', '1')
    return <Redirect to={`/sign-in?${query}`} replace />
  }
  if (state.me.session.scope === 'mfa_enrolment' && location !== MFA_SETUP) {
    return <Redirect to={MFA_SETUP} replace />
  }
  return <Shell>{children}</Shell>
}

/** Who is signed in could not be asked: say so and offer to try again. */
function Unavailable({ error }: { error: unknown }) {
  const { refresh } = useSession()
  const { busy, error: retryError, run } = useAction()
  return (
    <PublicFrame title="Rampart is not answering">
      <ErrorMessage error={retryError ?? error} />
      <button type="button" className="primary" disabled={busy} onClick={() => run(refresh)}>
        Try again
      </button>
    </PublicFrame>
  )
}

/** Sign-in and sign-up: someone already signed in goes home. */
function SignedOut({ children }: { children: ReactNode }) {
  const { state } = useSession()
  if (state.status === 'loading') return <Loading />
  if (state.status === 'unavailable') return <Unavailable error={state.error} />
  if (state.status === 'signed-in') return <Redirect to="/" replace />
  return children
}

function Screens() {
  return (
    <Switch>
      <Route path="/sign-in">
        <SignedOut>
          <SignIn />
        </SignedOut>
      </Route>
      <Route path="/sign-up">
        <SignedOut>
          <SignUp />
        </SignedOut>
      </Route>
      <Route path="/reset-password">
        <ResetPassword />
      </Route>
      <Route path="/accept-invitation">
        <AcceptInvitation />
      </Route>
      <Route path="/verify-email">
        <VerifyEmail />
      </Route>
      <Route path="/">
        <SignedIn>
          <Home />
        </SignedIn>
      </Route>
      <Route path="/account">
        <SignedIn>
          <Account />
        </SignedIn>
      </Route>
      <Route path={MFA_SETUP}>
        <SignedIn>
          <MfaSetup />
        </SignedIn>
      </Route>
      {/* Each area routes its own screens, relative to its path. The frame (navigation, the
          sign-in redirect) stays outside the nested router, where locations are absolute. */}
      {AREAS.map(([path, Area]) => (
        <Route key={path} path={`${path}/*?`}>
          <SignedIn>
            <Route path={path} nest>
              <Area />
            </Route>
          </SignedIn>
        </Route>
      ))}
      <Route>
        <NotFound />
      </Route>
    </Switch>
  )
}

export function App() {
  return (
    <ErrorBoundary>
      <SessionProvider>
        <StepUpProvider>
          <Screens />
        </StepUpProvider>
      </SessionProvider>
    </ErrorBoundary>
  )
}
