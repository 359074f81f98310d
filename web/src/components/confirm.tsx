// Confirmation for destructive actions, in a native modal <dialog>: the browser traps focus,
// closes it on Escape and gives focus back to the button that opened it.
import { type ReactNode, useRef, useState } from 'react'
import { ErrorMessage, useAction } from './ui.tsx'

interface ConfirmButtonProps {
  /** The button that opens the dialog. */
  children: ReactNode
  title: string
  message: ReactNode
  confirmLabel: string
  onConfirm(): Promise<void>
  className?: string
}

export function ConfirmButton({
  children,
  title,
  message,
  confirmLabel,
  onConfirm,
  className = 'danger',
}: ConfirmButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [open, setOpen] = useState(false)
  const { busy, error, setError, run } = useAction()
  const close = () => {
    setError(null)
    dialog.current?.close()
  }
  return (
    <>
      <button
        type="button"
        className={className}
        onClick={() => {
          setOpen(true)
          dialog.current?.showModal()
        }}
      >
        {children}
      </button>
      <dialog
        ref={dialog}
        aria-label={title}
        onClose={() => {
          setOpen(false)
          setError(null)
        }}
      >
        {/* Rendered only while open: a closed dialog's buttons would still be in the page. */}
        {open ? (
          <>
            <h2>{title}</h2>
            <div>{message}</div>
            <ErrorMessage error={error} />
            <div className="actions">
              <button type="button" onClick={close} disabled={busy}>
                Cancel
              </button>
              <button
                type="button"
                className="danger"
                disabled={busy}
                onClick={() =>
                  run(async () => {
                    await onConfirm()
                    dialog.current?.close()
                  })
                }
              >
                {busy ? 'Please wait…' : confirmLabel}
              </button>
            </div>
          </>
        ) : null}
      </dialog>
    </>
  )
}
