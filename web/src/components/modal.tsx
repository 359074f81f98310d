// A modal in a native <dialog> for forms that need more than a confirmation (ConfirmButton):
// the browser traps focus and closes it on Escape; the content exists only while it is open.
import { type ReactNode, useEffect, useRef } from 'react'

interface ModalProps {
  open: boolean
  title: string
  onClose(): void
  children: ReactNode
  /** `modal` (the default) is the wide form layout; a confirmation keeps the narrow dialog. */
  className?: string
}

export function Modal({ open, title, onClose, children, className = 'modal' }: ModalProps) {
  const dialog = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const element = dialog.current
    if (!element) return
    if (open && !element.open) element.showModal()
    if (!open && element.open) element.close()
  }, [open])
  return (
    <dialog ref={dialog} aria-label={title} onClose={onClose} className={className}>
      {open ? (
        <>
          <h2>{title}</h2>
          {children}
        </>
      ) : null}
    </dialog>
  )
}
