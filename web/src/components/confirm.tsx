// Confirmation for destructive actions, in a native modal <dialog> (Modal): the browser traps
// focus, closes it on Escape and gives focus back to what had it before.
import { type ReactNode, useState } from 'react'
import { Modal } from './modal.tsx'
import { ErrorMessage, useAction } from './ui.tsx'

interface ConfirmDialogProps {
  open: boolean
  title: string
  message: ReactNode
  confirmLabel: string
  /** Runs with the dialog busy; a failure is shown in the dialog, which then stays open. */
  onConfirm(): Promise<void>
  /** Cancel, Escape, or the dialog closing for any other reason. */
  onCancel(): void
}

/** A controlled confirmation: the caller owns `open` and closes it in onConfirm and onCancel. */
export function ConfirmDialog({
  open,
  title,
  message,
  confirmLabel,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const { busy, error, setError, run } = useAction()
  const cancel = () => {
    setError(null)
    onCancel()
  }
  return (
    <Modal open={open} title={title} onClose={cancel} className="confirm">
      <div>{message}</div>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" onClick={cancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => run(onConfirm)}>
          {busy ? 'Please wait…' : confirmLabel}
        </button>
      </div>
    </Modal>
  )
}

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
  const [open, setOpen] = useState(false)
  return (
    <>
      <button type="button" className={className} onClick={() => setOpen(true)}>
        {children}
      </button>
      <ConfirmDialog
        open={open}
        title={title}
        message={message}
        confirmLabel={confirmLabel}
        onConfirm={async () => {
          await onConfirm()
          setOpen(false)
        }}
        onCancel={() => setOpen(false)}
      />
    </>
  )
}
