// Small building blocks every screen uses: labelled fields, error and status messages, and a
// hook that runs an API action with busy and error state.
import { type InputHTMLAttributes, type ReactNode, useCallback, useId, useState } from 'react'
import { messageFor } from '../api/messages.ts'

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string
  hint?: string
}

/** An input with its label and optional hint, linked for screen readers. */
export function Field({ label, hint, ...input }: FieldProps) {
  const id = useId()
  const hintId = `${id}-hint`
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} {...(hint ? { 'aria-describedby': hintId } : {})} {...input} />
      {hint ? (
        <small id={hintId} className="hint">
          {hint}
        </small>
      ) : null}
    </div>
  )
}

export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null
  return (
    <p className="notice error" role="alert">
      {messageFor(error)}
    </p>
  )
}

export function Success({ children }: { children: ReactNode }) {
  return (
    <p className="notice success" role="status">
      {children}
    </p>
  )
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      {what}…
    </p>
  )
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>
}

export function SubmitButton({ busy, children }: { busy: boolean; children: ReactNode }) {
  return (
    <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
      {busy ? 'Please wait…' : children}
    </button>
  )
}

/** The user backed out (closed a dialog): nothing to report. */
export class Cancelled extends Error {}

/** Runs one action at a time; keeps its failure for display until the next run. */
export function useAction() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const run = useCallback(async (action: () => Promise<void>) => {
    setBusy(true)
    setError(null)
    try {
      await action()
    } catch (failure) {
      if (!(failure instanceof Cancelled)) setError(failure)
    } finally {
      setBusy(false)
    }
  }, [])
  return { busy, error, setError, run }
}

export function formatDate(iso: string | null): string {
  if (!iso) return 'never'
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}
