// IAM-6: my account. Sessions and devices with revoke, second factors, password change (step-up).
import { useState } from 'react'
import { Link } from 'wouter'
import { api } from '../api/client.ts'
import type { MfaState } from '../api/types.ts'
import { useApi } from '../api/use-api.ts'
import { SessionList } from '../components/session-list.tsx'
import { useTitle } from '../components/shell.tsx'
import { useStepUp } from '../components/step-up.tsx'
import {
  ErrorMessage,
  Field,
  Loading,
  SubmitButton,
  Success,
  useAction,
} from '../components/ui.tsx'
import { useMe, useSession } from '../session.tsx'
import { NewPasswordFields } from './new-password.tsx'
import { OwnershipTransfer } from './ownership.tsx'

export function Account() {
  useTitle('My account')
  const me = useMe()
  return (
    <>
      <h1>My account</h1>
      <section className="panel" aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        <dl className="facts">
          <dt>E-mail address</dt>
          <dd>
            {me.user.email} {me.user.emailVerified ? '(verified)' : '(not verified)'}
          </dd>
          <dt>Organisation</dt>
          <dd>
            {me.tenant.name} ({me.tenant.slug})
          </dd>
          <dt>Role</dt>
          <dd>{me.user.role}</dd>
        </dl>
        {me.user.emailVerified ? null : <VerifyEmailButton />}
      </section>
      <SecondFactors />
      <Sessions />
      <PasswordChange />
      <OwnershipTransfer />
    </>
  )
}

function VerifyEmailButton() {
  const [sent, setSent] = useState(false)
  const { busy, error, run } = useAction()
  if (sent) return <Success>A verification link is on its way to your address.</Success>
  return (
    <>
      <button
        type="button"
        disabled={busy}
        onClick={() =>
          run(async () => {
            await api('POST', '/api/v1/me/email/verification')
            setSent(true)
          })
        }
      >
        Send me a verification link
      </button>
      <ErrorMessage error={error} />
    </>
  )
}

function SecondFactors() {
  const { data: mfa, error } = useApi<MfaState>('/api/v1/me/mfa')
  return (
    <section className="panel" aria-labelledby="mfa-heading">
      <h2 id="mfa-heading">Second factors</h2>
      <ErrorMessage error={error} />
      {!mfa && !error ? <Loading /> : null}
      {mfa ? (
        <ul>
          <li>Authenticator app: {mfa.totp?.enabled ? 'on' : 'not set up'}</li>
          <li>Recovery codes left: {mfa.recoveryCodes.remaining}</li>
          <li>Passkeys: {mfa.passkeys.count}</li>
        </ul>
      ) : null}
      <p>
        <Link href="/account/mfa">Manage second factors</Link>
      </p>
    </section>
  )
}

function Sessions() {
  const { signOut } = useSession()
  return (
    <section className="panel" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Sessions and devices</h2>
      <SessionList path="/api/v1/me/sessions" signOutHere={signOut} />
    </section>
  )
}

function PasswordChange() {
  const withStepUp = useStepUp()
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState<string | null>(null)
  const [formKey, setFormKey] = useState(0)
  const [done, setDone] = useState<string | null>(null)
  const { busy, error, run } = useAction()
  return (
    <section className="panel" aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      {done ? <Success>{done}</Success> : null}
      <form
        key={formKey}
        onSubmit={(event) => {
          event.preventDefault()
          if (next === null) return
          void run(async () => {
            const { revokedSessions } = await withStepUp(() =>
              api<{ revokedSessions: number }>('POST', '/api/v1/me/password', {
                currentPassword: current,
                newPassword: next,
              }),
            )
            setDone(`Password changed. ${revokedSessions} other session(s) were signed out.`)
            setCurrent('')
            setNext(null)
            setFormKey((k) => k + 1)
          })
        }}
      >
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(event) => setCurrent(event.target.value)}
        />
        <NewPasswordFields onChange={setNext} />
        <ErrorMessage error={error} />
        <SubmitButton busy={busy}>Change password</SubmitButton>
      </form>
    </section>
  )
}
