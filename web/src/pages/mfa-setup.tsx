// IAM-4: my second factors. Enrol an authenticator app from its QR code, keep recovery codes
// (shown once, with a download), add passkeys, remove factors. Every change goes through step-up when the
// sign-in is no longer recent.
import { useCallback, useEffect, useState } from 'react'
import { Link } from 'wouter'
import { api } from '../api/client.ts'
import { registerPasskey } from '../api/passkeys.ts'
import type { MfaState, Passkey, TotpEnrolment } from '../api/types.ts'
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

export function MfaSetup() {
  useTitle('Second factors')
  const me = useMe()
  const { refresh } = useSession()
  const [mfa, setMfa] = useState<MfaState | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [codes, setCodes] = useState<string[] | null>(null)
  const load = useCallback(async () => {
    setMfa(await api<MfaState>('GET', '/api/v1/me/mfa'))
  }, [])
  useEffect(() => {
    load().catch(setError)
  }, [load])

  const enrolmentOnly = me.session.scope === 'mfa_enrolment'
  return (
    <>
      <h1>Second factors</h1>
      {enrolmentOnly ? (
        <p className="notice warning" role="status">
          Your organisation requires a second factor. Set one up to use the console.
        </p>
      ) : (
        <p>
          <Link href="/account">Back to my account</Link>
        </p>
      )}
      <ErrorMessage error={error} />
      {!mfa && !error ? <Loading /> : null}
      {codes ? <RecoveryCodes codes={codes} onDone={() => setCodes(null)} /> : null}
      {mfa && !codes ? (
        <>
          <Authenticator
            mfa={mfa}
            onEnabled={async (newCodes) => {
              await load()
              await refresh()
              if (newCodes) setCodes(newCodes)
            }}
            onRemoved={load}
          />
          <RecoveryCodeSection mfa={mfa} onCodes={setCodes} onChanged={load} />
          <Passkeys onChanged={load} />
        </>
      ) : null}
    </>
  )
}

function Authenticator({
  mfa,
  onEnabled,
  onRemoved,
}: {
  mfa: MfaState
  onEnabled(codes: string[] | null): Promise<void>
  onRemoved(): Promise<void>
}) {
  const withStepUp = useStepUp()
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null)
  const [code, setCode] = useState('')
  const { busy, error, run } = useAction()

  if (mfa.totp?.enabled) {
    return (
      <section className="panel" aria-labelledby="totp-heading">
        <h2 id="totp-heading">Authenticator app</h2>
        <p>On since {formatDate(mfa.totp.confirmedAt)}.</p>
        <ErrorMessage error={error} />
        <ConfirmButton
          title="Remove the authenticator app?"
          message="Sign-in will no longer ask for its codes. You can set up an app again later."
          confirmLabel="Remove"
          onConfirm={async () => {
            await withStepUp(() => api('DELETE', '/api/v1/me/mfa/totp'))
            await onRemoved()
          }}
        >
          Remove the authenticator app
        </ConfirmButton>
      </section>
    )
  }

  return (
    <section className="panel" aria-labelledby="totp-heading">
      <h2 id="totp-heading">Authenticator app</h2>
      {!enrolment ? (
        <>
          <p>
            Use an app such as a password manager or an authenticator on your phone: it shows a new
            six-digit code every 30 seconds.
          </p>
          <ErrorMessage error={error} />
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() =>
              run(async () => {
                setEnrolment(
                  await withStepUp(() => api<TotpEnrolment>('POST', '/api/v1/me/mfa/totp', {})),
                )
              })
            }
          >
            Set up an authenticator app
          </button>
        </>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            void run(async () => {
              await withStepUp(() =>
                api('POST', '/api/v1/me/mfa/totp/confirm', { code: code.replace(/\s/g, '') }),
              )
              // On from here: the secret is not kept, and a failure below does not undo that.
              setEnrolment(null)
              setCode('')
              // Recovery codes come with the first factor, so a lost phone is not a lost account.
              // If making them fails, the app is on all the same and the codes section offers them.
              let codes: string[] | null = null
              try {
                if (mfa.recoveryCodes.remaining === 0) {
                  codes = (
                    await withStepUp(() =>
                      api<{ codes: string[] }>('POST', '/api/v1/me/mfa/recovery-codes', {}),
                    )
                  ).codes
                }
              } finally {
                await onEnabled(codes)
              }
            })
          }}
        >
          <ol className="steps">
            <li>
              Scan this QR code with your app:
              <img
                className="qr"
                src={enrolment.qrCode}
                alt="QR code that adds Rampart to an authenticator app"
                width={200}
                height={200}
              />
            </li>
            <li>
              Or enter this key by hand:{' '}
              <code className="secret" data-testid="totp-secret">
                {enrolment.secret}
              </code>
            </li>
            <li>Type the code the app shows now.</li>
          </ol>
          <Field
            label="Six-digit code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]{6,7}"
            required
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
          <ErrorMessage error={error} />
          <SubmitButton busy={busy}>Turn on</SubmitButton>
        </form>
      )}
    </section>
  )
}

function RecoveryCodeSection({
  mfa,
  onCodes,
  onChanged,
}: {
  mfa: MfaState
  onCodes(codes: string[]): void
  onChanged(): Promise<void>
}) {
  const withStepUp = useStepUp()
  const generate = async () => {
    const { codes } = await withStepUp(() =>
      api<{ codes: string[] }>('POST', '/api/v1/me/mfa/recovery-codes', {}),
    )
    await onChanged()
    onCodes(codes)
  }
  return (
    <section className="panel" aria-labelledby="recovery-heading">
      <h2 id="recovery-heading">Recovery codes</h2>
      <p>
        {mfa.recoveryCodes.remaining} unused recovery code(s). Each works once, in place of a code
        from your app.
      </p>
      <ConfirmButton
        className="secondary"
        title="Make new recovery codes?"
        message="Your current recovery codes stop working at once. You will see the new ones only once."
        confirmLabel="Make new codes"
        onConfirm={generate}
      >
        {mfa.recoveryCodes.remaining === 0 ? 'Make recovery codes' : 'Replace recovery codes'}
      </ConfirmButton>
    </section>
  )
}

/** The codes exist only in this answer: shown once, with a download and a copy. */
function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone(): void }) {
  const me = useMe()
  const [copied, setCopied] = useState(false)
  const text = `Rampart recovery codes for ${me.user.email} (${me.tenant.slug})\nEach code works once.\n\n${codes.join('\n')}\n`
  // Made and revoked by the same effect, so a remount (StrictMode does one) never keeps a dead URL.
  const [href, setHref] = useState<string | undefined>()
  useEffect(() => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }))
    setHref(url)
    return () => URL.revokeObjectURL(url)
  }, [text])
  return (
    <section className="panel" aria-labelledby="codes-heading">
      <h2 id="codes-heading">Your recovery codes</h2>
      <p className="notice warning">
        Keep these somewhere safe, away from your phone. They are shown only now.
      </p>
      <ul className="codes" aria-label="Recovery codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <div className="actions">
        <a className="button" href={href} download={`rampart-recovery-codes-${me.tenant.slug}.txt`}>
          Download
        </a>
        <button
          type="button"
          onClick={() =>
            navigator.clipboard.writeText(codes.join('\n')).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          Copy
        </button>
        <button type="button" className="primary" onClick={onDone}>
          I have saved them
        </button>
      </div>
      {copied ? <Success>Copied.</Success> : null}
    </section>
  )
}

function Passkeys({ onChanged }: { onChanged(): Promise<void> }) {
  const withStepUp = useStepUp()
  const [passkeys, setPasskeys] = useState<Passkey[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [name, setName] = useState('')
  const adding = useAction()
  const load = useCallback(() => {
    api<{ passkeys: Passkey[] }>('GET', '/api/v1/me/mfa/passkeys')
      .then((answer) => setPasskeys(answer.passkeys))
      .catch(setError)
  }, [])
  useEffect(load, [load])
  return (
    <section className="panel" aria-labelledby="passkeys-heading">
      <h2 id="passkeys-heading">Passkeys</h2>
      <ErrorMessage error={error} />
      {!passkeys && !error ? <Loading /> : null}
      {passkeys?.length === 0 ? (
        <Empty>
          No passkeys yet. A passkey signs you in with your device's screen lock or a security key.
        </Empty>
      ) : null}
      {passkeys && passkeys.length > 0 ? (
        <ul className="rows">
          {passkeys.map((p) => (
            <li key={p.id} className="row">
              <div>
                <strong>{p.name}</strong>
                <br />
                <small>
                  added {formatDate(p.createdAt)} · last used {formatDate(p.lastUsedAt)}
                </small>
              </div>
              <ConfirmButton
                title={`Remove the passkey ${p.name}?`}
                message="It will no longer sign you in."
                confirmLabel="Remove"
                onConfirm={async () => {
                  await withStepUp(() =>
                    api('DELETE', `/api/v1/me/mfa/passkeys/${encodeURIComponent(p.id)}`),
                  )
                  load()
                  await onChanged()
                }}
              >
                Remove
              </ConfirmButton>
            </li>
          ))}
        </ul>
      ) : null}
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault()
          void adding.run(async () => {
            await withStepUp(() => registerPasskey(name.trim()))
            setName('')
            load()
            await onChanged()
          })
        }}
      >
        <Field
          label="Name of the new passkey"
          hint="So you can tell them apart, as in Work laptop"
          maxLength={64}
          required
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <ErrorMessage error={adding.error} />
        <SubmitButton busy={adding.busy}>Add a passkey</SubmitButton>
      </form>
    </section>
  )
}
