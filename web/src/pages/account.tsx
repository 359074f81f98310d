// IAM-6: my account. Sessions and devices with revoke, second factors, password change (step-up).
import { useCallback, useEffect, useState } from 'react'
import { Link } from 'wouter'
import { api } from '../api/client.ts'
import type { DeviceSession, MfaState } from '../api/types.ts'
import { ConfirmButton } from '../components/confirm.tsx'
import { useTitle } from '../components/shell.tsx'
import { useStepUp } from '../components/step-up.tsx'
import {
  Empty,
  ErrorMessage,
  Field,
  formatDate,
  Loading,
  SubmitButton,
  Success,
  useAction,
} from '../components/ui.tsx'
import { useMe, useSession } from '../session.tsx'
import { NewPasswordFields } from './new-password.tsx'

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
  const [mfa, setMfa] = useState<MfaState | null>(null)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    api<MfaState>('GET', '/api/v1/me/mfa').then(setMfa).catch(setError)
  }, [])
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
  const [sessions, setSessions] = useState<DeviceSession[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const { signOut } = useSession()
  const load = useCallback(() => {
    api<{ sessions: DeviceSession[] }>('GET', '/api/v1/me/sessions')
      .then((answer) => setSessions(answer.sessions))
      .catch(setError)
  }, [])
  useEffect(load, [load])
  const others = sessions?.filter((s) => !s.current) ?? []
  return (
    <section className="panel" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Sessions and devices</h2>
      <ErrorMessage error={error} />
      {notice ? <Success>{notice}</Success> : null}
      {!sessions && !error ? <Loading /> : null}
      {sessions?.length === 0 ? <Empty>No live sessions.</Empty> : null}
      {sessions && sessions.length > 0 ? (
        <ul className="rows">
          {sessions.map((s) => (
            <li key={s.id} className="row">
              <div>
                <strong>{s.device}</strong>
                {s.current ? <span className="badge">this browser</span> : null}
                <br />
                <small>
                  {s.ip ?? 'address unknown'} · signed in {formatDate(s.firstSeenAt)} · last seen{' '}
                  {formatDate(s.lastSeenAt)}
                </small>
              </div>
              <ConfirmButton
                title={s.current ? 'Sign out here?' : 'End this session?'}
                message={
                  s.current
                    ? 'This ends the session of this browser: you will have to sign in again.'
                    : `${s.device} will be signed out at once.`
                }
                confirmLabel={s.current ? 'Sign out' : 'End session'}
                onConfirm={async () => {
                  await api('DELETE', `/api/v1/me/sessions/${encodeURIComponent(s.id)}`)
                  if (s.current) await signOut()
                  else load()
                }}
              >
                {s.current ? 'Sign out' : 'Revoke'}
              </ConfirmButton>
            </li>
          ))}
        </ul>
      ) : null}
      {others.length > 0 ? (
        <ConfirmButton
          title="Sign out everywhere else?"
          message={`${others.length} other session(s) will end at once. This browser stays signed in.`}
          confirmLabel="Sign out the others"
          onConfirm={async () => {
            const { revoked } = await api<{ revoked: number }>(
              'DELETE',
              '/api/v1/me/sessions?others=true',
            )
            setNotice(`${revoked} session(s) ended.`)
            load()
          }}
        >
          Sign out all other sessions
        </ConfirmButton>
      ) : null}
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
