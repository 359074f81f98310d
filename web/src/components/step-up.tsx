// IAM-4, IAM-6: sensitive changes need a sign-in or step-up from the last few minutes. Screens
// wrap such a change in withStepUp: when the API answers IDENTITY_STEP_UP_REQUIRED, this asks for
// the password (and a code when the user has a second factor), steps up, and retries once.
import { createContext, type ReactNode, useCallback, useContext, useRef, useState } from 'react'
import { ApiError, api } from '../api/client.ts'
import type { MfaState } from '../api/types.ts'
import { useSession } from '../session.tsx'
import { Cancelled, ErrorMessage, Field, SubmitButton, useAction } from './ui.tsx'

type WithStepUp = <T>(action: () => Promise<T>) => Promise<T>

const StepUpContext = createContext<WithStepUp | null>(null)

export function StepUpProvider({ children }: { children: ReactNode }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const pending = useRef<{ resolve(): void; reject(error: Error): void } | null>(null)
  const [open, setOpen] = useState(false)
  const [mfa, setMfa] = useState<MfaState | null>(null)
  const [password, setPassword] = useState('')
  const [method, setMethod] = useState<'totp' | 'recovery_code'>('totp')
  const [code, setCode] = useState('')
  const { busy, error, setError, run } = useAction()
  const { refresh } = useSession()

  const ask = useCallback(async () => {
    const state = await api<MfaState>('GET', '/api/v1/me/mfa')
    setMfa(state)
    setMethod(state.totp?.enabled ? 'totp' : 'recovery_code')
    setPassword('')
    setCode('')
    setError(null)
    setOpen(true)
    dialog.current?.showModal()
    return new Promise<void>((resolve, reject) => {
      pending.current = { resolve, reject }
    })
  }, [setError])

  const withStepUp = useCallback<WithStepUp>(
    async (action) => {
      try {
        return await action()
      } catch (failure) {
        if (!(failure instanceof ApiError) || failure.code !== 'IDENTITY_STEP_UP_REQUIRED') {
          throw failure
        }
        await ask()
        return action()
      }
    },
    [ask],
  )

  const hasSecondFactor = Boolean(mfa?.totp?.enabled || (mfa?.recoveryCodes.remaining ?? 0) > 0)

  const submit = () =>
    run(async () => {
      await api('POST', '/api/v1/sessions/current/step-up', {
        password,
        ...(hasSecondFactor ? { method, code: code.trim() } : {}),
      })
      await refresh()
      dialog.current?.close()
      pending.current?.resolve()
      pending.current = null
    })

  const closed = () => {
    setOpen(false)
    pending.current?.reject(new Cancelled('Step-up cancelled'))
    pending.current = null
  }

  return (
    <StepUpContext.Provider value={withStepUp}>
      {children}
      <dialog ref={dialog} aria-labelledby="step-up-title" onClose={closed}>
        {/* Rendered only while open: a closed dialog's fields would still be in the page. */}
        {open ? (
          <form
            onSubmit={(event) => {
              event.preventDefault()
              void submit()
            }}
          >
            <h2 id="step-up-title">Confirm it is you</h2>
            <p>This change needs a recent sign-in. Enter your password again to go on.</p>
            <Field
              label="Password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
            {hasSecondFactor ? (
              <>
                <fieldset>
                  <legend>Second factor</legend>
                  {mfa?.totp?.enabled ? (
                    <label className="choice">
                      <input
                        type="radio"
                        name="step-up-method"
                        checked={method === 'totp'}
                        onChange={() => setMethod('totp')}
                      />
                      Authenticator app code
                    </label>
                  ) : null}
                  {(mfa?.recoveryCodes.remaining ?? 0) > 0 ? (
                    <label className="choice">
                      <input
                        type="radio"
                        name="step-up-method"
                        checked={method === 'recovery_code'}
                        onChange={() => setMethod('recovery_code')}
                      />
                      Recovery code
                    </label>
                  ) : null}
                </fieldset>
                <Field
                  label={method === 'totp' ? 'Code from your app' : 'Recovery code'}
                  autoComplete="one-time-code"
                  inputMode={method === 'totp' ? 'numeric' : 'text'}
                  required
                  value={code}
                  onChange={(event) => setCode(event.target.value)}
                />
              </>
            ) : null}
            <ErrorMessage error={error} />
            <div className="actions">
              <button type="button" onClick={() => dialog.current?.close()} disabled={busy}>
                Cancel
              </button>
              <SubmitButton busy={busy}>Confirm</SubmitButton>
            </div>
          </form>
        ) : null}
      </dialog>
    </StepUpContext.Provider>
  )
}

export function useStepUp(): WithStepUp {
  const withStepUp = useContext(StepUpContext)
  if (!withStepUp) throw new Error('useStepUp outside StepUpProvider')
  return withStepUp
}
