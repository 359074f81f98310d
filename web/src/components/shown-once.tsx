// A secret the API returns only once (an API key, a kiosk link): shown with a copy button and
// the warning that it cannot be shown again.
import { useState } from 'react'

export function ShownOnce({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState<boolean | null>(null)
  return (
    <div className="shown-once" role="status">
      <p className="notice warning">
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
      </div>
    </div>
  )
}
