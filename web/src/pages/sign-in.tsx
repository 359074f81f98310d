// IAM-3, IAM-4: sign-in as named steps. The password first; when the answer is a challenge, a
// code from the authenticator app or a recovery code completes it.
import { useState } from 'react'
import { Link, useLocation, useSearch } from 'wouter'
import { api } from '../api/client.ts'
import type { MfaChallenge, SecondFactorMethod, SessionIssued } from '../api/types.ts'
import { PublicFrame } from '../components/shell.tsx'
import { ErrorMessage, Field, SubmitButton, useAction } from '../components/ui.tsx'
import { useSession } from '../session.tsx'

/** Only a path of this site: `next=https://evil.example` must not become an open redirect. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/'
}

export function SignIn() {
  const search = new URLSearchParams(useSearch())
  const [, navigate] = useLocation()
  const { signedIn } = useSession()
  const [tenant, setTenant] = useState(search.get('tenant') ?? '')
  const [email, setEmail] = useState(search.get('email') ?? '')
  const [password, setPassword] = useState('')
  const [challenge, setChallenge] = useState<MfaChallenge['challenge'] | null>(null)
  const { busy, error, run } = useAction()

  const finish = async (issued: SessionIssued) => {
    await signedIn(issued.csrfToken)
    navigate(safeNext(search.get('next')), { replace: true })
  }

  if (challenge) {
    return (
      <SecondFactor
        challenge={challenge}
        onSignedIn={finish}
        onRestart={() => {
          setChallenge(null)
          setPassword('')
        }}
      />
    )
  }

  return (
    <PublicFrame title="Sign in">
      {search.get('expired') ? (
        <p className="notice" role="status">
          Your session ended. Sign in again to go on.
        </p>
      ) : null}
      <form
        onSubmit={(event) => {
          event.preventDefault()
          void run(async () => {
            const answer = await api<SessionIssued | MfaChallenge>('POST', '/api/v1/sessions', {
              tenant: tenant.trim(),
              email: email.trim(),
              password,
              mode: 'cookie',
            })
            if ('mfaRequired' in answer) setChallenge(answer.challenge)
            else await finish(answer)
          })
        }}
      >
        <Field
          label="Organisation"
          hint="Your organisation's short name, as in acme"
          name="tenant"
          autoComplete="organization"
          autoCapitalize="none"
          required
          value={tenant}
          onChange={(event) => setTenant(event.target.value)}
        />
        <Field
          label="E-mail address"
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <ErrorMessage error={error} />
        <SubmitButton busy={busy}>Sign in</SubmitButton>
      </form>
      <p className="links">
        <Link href="/reset-password">Forgot your password?</Link>
        <Link href="/sign-up">New here? Create an organisation</Link>
      </p>
    </PublicFrame>
  )
}

const METHOD_LABELS: Partial<Record<SecondFactorMethod, string>> = {
  totp: 'Authenticator app',
  recovery_code: 'Recovery code',
}

function SecondFactor({
  challenge,
  onSignedIn,
  onRestart,
}: {
  challenge: MfaChallenge['challenge']
  onSignedIn(issued: SessionIssued): Promise<void>
  onRestart(): void
}) {
  const methods = challenge.methods.filter(
    (m): m is 'totp' | 'recovery_code' => m === 'totp' || m === 'recovery_code',
  )
  const [method, setMethod] = useState(methods[0] ?? 'totp')
  const [code, setCode] = useState('')
  const { busy, error, run } = useAction()
  return (
    <PublicFrame title="Second factor">
      <form
        onSubmit={(event) => {
          event.preventDefault()
          void run(async () => {
            const issued = await api<SessionIssued>('POST', '/api/v1/sessions/mfa', {
              challenge: challenge.token,
              method,
              code: method === 'totp' ? code.replace(/\s/g, '') : code.trim(),
              mode: 'cookie',
            })
            await onSignedIn(issued)
          })
        }}
      >
        {methods.length > 1 ? (
          <fieldset>
            <legend>Confirm with</legend>
            {methods.map((m) => (
              <label className="choice" key={m}>
                <input
                  type="radio"
                  name="method"
                  value={m}
                  checked={method === m}
                  onChange={() => {
                    setMethod(m)
                    setCode('')
                  }}
                />
                {METHOD_LABELS[m]}
              </label>
            ))}
          </fieldset>
        ) : null}
        {method === 'totp' ? (
          <Field
            label="Six-digit code from your authenticator app"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]{6,7}"
            required
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
        ) : (
          <Field
            label="One of your recovery codes"
            hint="Each recovery code works once"
            name="code"
            autoComplete="one-time-code"
            autoCapitalize="none"
            required
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
        )}
        <ErrorMessage error={error} />
        <SubmitButton busy={busy}>Continue</SubmitButton>
      </form>
      <p className="links">
        <button type="button" className="link" onClick={onRestart}>
          Start again
        </button>
      </p>
    </PublicFrame>
  )
}
