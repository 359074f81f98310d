// IAM-3, IAM-4: sign-in as named steps. The password first; when the answer is a challenge, a
// code from the authenticator app, a recovery code or a passkey completes it. A passkey alone
// (passwordless) signs in too.
import { useState } from 'react'
import { Link, useLocation, useSearch } from 'wouter'
import { ApiError, api } from '../api/client.ts'
import { answerWithPasskey } from '../api/passkeys.ts'
import type { MfaChallenge, SessionIssued } from '../api/types.ts'
import {
  type FactorMethod,
  normalisedCode,
  SecondFactorFields,
} from '../components/second-factor.tsx'
import { PublicFrame } from '../components/shell.tsx'
import { ErrorMessage, Field, SubmitButton, useAction } from '../components/ui.tsx'
import { useSession } from '../session.tsx'

/** Only a path of this site: `next=https://evil.example` must not become an open redirect. */
function safeNext(next: string | null): string {
  // Browsers read a backslash as a slash: `/\evil.example` is another site too.
  if (!next?.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/'
  const target = new URL(next, window.location.origin)
  return target.origin === window.location.origin ? `${target.pathname}${target.search}` : '/'
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
            // The password has done its part: it is not kept while the second factor is asked.
            setPassword('')
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
        <div className="actions">
          <SubmitButton busy={busy}>Sign in</SubmitButton>
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                const slug = tenant.trim()
                if (!slug)
                  throw new ApiError(0, 'SIGN_IN_TENANT_MISSING', 'Enter your organisation first')
                const { challengeId, response } = await answerWithPasskey(
                  '/api/v1/sessions/passkey/options',
                  { tenant: slug },
                )
                await finish(
                  await api<SessionIssued>('POST', '/api/v1/sessions/passkey', {
                    tenant: slug,
                    challengeId,
                    response,
                    mode: 'cookie',
                  }),
                )
              })
            }
          >
            Sign in with a passkey
          </button>
        </div>
      </form>
      <p className="links">
        <Link href="/reset-password">Forgot your password?</Link>
        <Link href="/sign-up">New here? Create an organisation</Link>
      </p>
    </PublicFrame>
  )
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
  const [method, setMethod] = useState<FactorMethod>(challenge.methods[0] ?? 'totp')
  const [code, setCode] = useState('')
  const { busy, error, run } = useAction()
  return (
    <PublicFrame title="Second factor">
      <form
        onSubmit={(event) => {
          event.preventDefault()
          void run(async () => {
            const factor =
              method === 'passkey'
                ? {
                    method,
                    passkey: await answerWithPasskey('/api/v1/sessions/mfa/passkey-options', {
                      challenge: challenge.token,
                    }),
                  }
                : { method, code: normalisedCode(method, code) }
            const issued = await api<SessionIssued>('POST', '/api/v1/sessions/mfa', {
              challenge: challenge.token,
              ...factor,
              mode: 'cookie',
            })
            await onSignedIn(issued)
          })
        }}
      >
        <SecondFactorFields
          methods={challenge.methods}
          method={method}
          onMethod={setMethod}
          code={code}
          onCode={setCode}
          name="method"
        />
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
