// A secret the API returns only once (an API key, a kiosk link): shown with a copy button and
// the warning that it cannot be shown again.
import { useState } from 'react'

interface ShownOnceProps {
  label: string
  value: string
  /** "I have copied it": the screen drops the secret from its state. */
  onDone?(): void
}

export function ShownOnce({ label, value, onDone }: ShownOnceProps) {
  const [copied, setCopied] = useState<boolean | null>(null)
  return (
    <div className="shown-once">
      {/* The warning is announced; the secret itself is not read aloud unasked. */}
      <p className="notice warning" role="status">
        Copy the {label} now: it is shown only this once and cannot be read again.
      </p>
      <code className="secret" data-testid="shown-once">
        {value}
      </code>
      <div className="actions">
        <button
          type="button"
          onClick={() =>
            navigator.clipboard.writeText(value).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          Copy
        </button>
        {copied === true ? <span>Copied.</span> : null}
        {copied === false ? <span>Copying failed: select the text and copy it.</span> : null}
        {onDone ? (
          <button type="button" onClick={onDone}>
            I have copied it
          </button>
        ) : null}
      </div>
    </div>
  )
}
