// IAM-4, IAM-6: sensitive changes need a sign-in or step-up from the last few minutes. Screens
// wrap such a change in withStepUp: when the API answers IDENTITY_STEP_UP_REQUIRED, this asks for
// the password (and a second factor when the user has one: a code or a passkey), steps up, and
// retries once.
import { createContext, type ReactNode, useCallback, useContext, useRef, useState } from 'react'
import { ApiError, api } from '../api/client.ts'
import { answerWithPasskey } from '../api/passkeys.ts'
import type { MfaState } from '../api/types.ts'
import { useSession } from '../session.tsx'
import { type FactorMethod, normalisedCode, SecondFactorFields } from './second-factor.tsx'
import { Cancelled, ErrorMessage, Field, SubmitButton, useAction } from './ui.tsx'

type WithStepUp = <T>(action: () => Promise<T>) => Promise<T>

const StepUpContext = createContext<WithStepUp | null>(null)

export function StepUpProvider({ children }: { children: ReactNode }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const pending = useRef<{ resolve(): void; reject(error: Error): void } | null>(null)
  const [open, setOpen] = useState(false)
  const [mfa, setMfa] = useState<MfaState | null>(null)
  const [password, setPassword] = useState('')
  const [method, setMethod] = useState<FactorMethod>('totp')
  const [code, setCode] = useState('')
  const { busy, error, setError, run } = useAction()
  const { refresh } = useSession()

  /** The open dialog's answer: a second action needing step-up meanwhile waits for the same one. */
  const asking = useRef<Promise<void> | null>(null)

  const ask = useCallback((): Promise<void> => {
    if (asking.current) return asking.current
    const answer = (async () => {
      const state = await api<MfaState>('GET', '/api/v1/me/mfa')
      setMfa(state)
      setMethod(factorsOf(state)[0] ?? 'totp')
      setError(null)
      setOpen(true)
      dialog.current?.showModal()
      return new Promise<void>((resolve, reject) => {
        pending.current = { resolve, reject }
      })
    })()
    asking.current = answer
    const settled = () => {
      asking.current = null
    }
    answer.then(settled, settled)
    return answer
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

  const methods = mfa ? factorsOf(mfa) : []
  const hasSecondFactor = methods.length > 0

  const submit = () =>
    run(async () => {
      const factor = !hasSecondFactor
        ? {}
        : method === 'passkey'
          ? {
              method,
              passkey: await answerWithPasskey('/api/v1/sessions/current/step-up/passkey-options'),
            }
          : { method, code: normalisedCode(method, code) }
      await api('POST', '/api/v1/sessions/current/step-up', { password, ...factor })
      await refresh()
      dialog.current?.close()
      pending.current?.resolve()
      pending.current = null
    })

  const closed = () => {
    setOpen(false)
    // The password and code are not kept once the dialog is gone, whatever its outcome.
    setPassword('')
    setCode('')
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
              <SecondFactorFields
                methods={methods}
                method={method}
                onMethod={setMethod}
                code={code}
                onCode={setCode}
                name="step-up-method"
              />
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

/** The second factors the user has, in the order they are offered. */
function factorsOf(mfa: MfaState): FactorMethod[] {
  const methods: FactorMethod[] = []
  if (mfa.totp?.enabled) methods.push('totp')
  if (mfa.passkeys.count > 0) methods.push('passkey')
  if (mfa.recoveryCodes.remaining > 0) methods.push('recovery_code')
  return methods
}

export function useStepUp(): WithStepUp {
  const withStepUp = useContext(StepUpContext)
  if (!withStepUp) throw new Error('useStepUp outside StepUpProvider')
  return withStepUp
}
