// IAM-2, IAM-3: ask for a reset link, and set the new password from the mailed link.
import { useState } from 'react'
import { Link } from 'wouter'
import { api } from '../api/client.ts'
import { PublicFrame } from '../components/shell.tsx'
import { ErrorMessage, Field, SubmitButton, Success, useAction } from '../components/ui.tsx'
import { useFragmentToken } from './fragment-token.ts'
import { NewPasswordFields } from './new-password.tsx'

export function ResetPassword() {
  const token = useFragmentToken()
  return token ? <ConfirmReset token={token} /> : <RequestReset />
}

function RequestReset() {
  const [tenant, setTenant] = useState('')
  const [email, setEmail] = useState('')
  const [sent, setSent] = useState<string | null>(null)
  const { busy, error, run } = useAction()
  return (
    <PublicFrame title="Reset your password">
      {sent ? (
        <Success>{sent}</Success>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            void run(async () => {
              const answer = await api<{ message: string }>('POST', '/api/v1/password-reset', {
                tenant: tenant.trim(),
                email: email.trim(),
              })
              setSent(answer.message)
            })
          }}
        >
          <p>We will e-mail you a link to choose a new password. It works for 30 minutes.</p>
          <Field
            label="Organisation"
            hint="Your organisation's short name"
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
          <ErrorMessage error={error} />
          <SubmitButton busy={busy}>Send the link</SubmitButton>
        </form>
      )}
      <p className="links">
        <Link href="/sign-in">Back to sign-in</Link>
      </p>
    </PublicFrame>
  )
}

function ConfirmReset({ token }: { token: string }) {
  const [password, setPassword] = useState<string | null>(null)
  const [done, setDone] = useState(false)
  const { busy, error, run } = useAction()
  return (
    <PublicFrame title="Choose a new password">
      {done ? (
        <>
          <Success>Your password is changed, and every session of yours has ended.</Success>
          <p>
            <Link href="/sign-in">Sign in with the new password</Link>
          </p>
        </>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            if (password === null) return
            void run(async () => {
              await api('POST', '/api/v1/password-reset/confirm', { token, newPassword: password })
              setDone(true)
            })
          }}
        >
          <NewPasswordFields onChange={setPassword} />
          <ErrorMessage error={error} />
          <SubmitButton busy={busy}>Set the password</SubmitButton>
        </form>
      )}
    </PublicFrame>
  )
}
