// KMS-3: the inputs of a write-only secret. Values are uncontrolled password inputs (autocomplete
// off): React never mirrors them into a value attribute, the form reads them once on submit, and
// they vanish with the dialog after saving. Field names of `generic` secrets are not secret.
import { useId, useState } from 'react'
import { Field } from '../../components/ui.tsx'
import { FIELD_NAME_PATTERN, type KindInfo, MAX_FIELDS } from './kinds.ts'

interface Row {
  key: number
  name: string
}

let nextKey = 0
const row = (name = ''): Row => ({ key: nextKey++, name })

/** The secret's inputs for a kind; `initialNames` prefills a generic secret's field names. */
export function SecretFields({
  info,
  initialNames = [],
}: {
  info: KindInfo
  initialNames?: string[]
}) {
  const [rows, setRows] = useState<Row[]>(() =>
    initialNames.length > 0 ? initialNames.map((n) => row(n)) : [row()],
  )
  const legendId = useId()
  if (info.fields) {
    return (
      <fieldset aria-describedby={legendId}>
        <legend>Secret</legend>
        <p id={legendId} className="hint">
          Stored encrypted and never shown again, to you or anyone.
        </p>
        {info.fields.map((f) => (
          <Field
            key={f.name}
            label={f.label}
            name={`secret.${f.name}`}
            type="password"
            autoComplete="off"
            required
            maxLength={8192}
          />
        ))}
      </fieldset>
    )
  }
  return (
    <fieldset aria-describedby={legendId}>
      <legend>Secret fields</legend>
      <p id={legendId} className="hint">
        Each field has a name (letters, digits and _, starting with a letter) and a value. Values
        are stored encrypted and never shown again.
      </p>
      {rows.map((r, i) => (
        <div key={r.key} className="secret-row">
          <Field
            label={`Field ${i + 1} name`}
            name={`name.${r.key}`}
            value={r.name}
            onChange={(event) => {
              const name = event.target.value
              setRows((all) => all.map((x) => (x.key === r.key ? { ...x, name } : x)))
            }}
            pattern={FIELD_NAME_PATTERN.slice(1, -1)}
            autoComplete="off"
            required
          />
          <Field
            label={`Field ${i + 1} value`}
            name={`value.${r.key}`}
            type="password"
            autoComplete="off"
            required
            maxLength={8192}
          />
          {rows.length > 1 ? (
            <button
              type="button"
              onClick={() => setRows((all) => all.filter((x) => x.key !== r.key))}
            >
              Remove field {i + 1}
            </button>
          ) : null}
        </div>
      ))}
      {rows.length < MAX_FIELDS ? (
        <button type="button" onClick={() => setRows((all) => [...all, row()])}>
          Add a field
        </button>
      ) : null}
    </fieldset>
  )
}

/** The secret typed into a form of SecretFields, read once on submit. */
export function secretFrom(form: HTMLFormElement, info: KindInfo): Record<string, string> {
  const data = new FormData(form)
  const text = (key: string) => {
    const value = data.get(key)
    return typeof value === 'string' ? value : ''
  }
  const secret: Record<string, string> = {}
  if (info.fields) {
    for (const f of info.fields) secret[f.name] = text(`secret.${f.name}`)
    return secret
  }
  for (const key of data.keys()) {
    if (!key.startsWith('name.')) continue
    secret[text(key).trim()] = text(`value.${key.slice('name.'.length)}`)
  }
  return secret
}
