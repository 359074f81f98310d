// A new password typed twice; the caller gets it only while both agree.
import { useState } from 'react'
import { Field } from '../components/ui.tsx'

export function NewPasswordFields({
  onChange,
  label = 'New password',
}: {
  onChange(password: string | null): void
  label?: string
}) {
  const [first, setFirst] = useState('')
  const [second, setSecond] = useState('')
  const update = (a: string, b: string) => onChange(a && a === b ? a : null)
  const mismatch = second.length > 0 && first !== second
  return (
    <>
      <Field
        label={label}
        hint="At least 12 characters; a few unrelated words work well"
        type="password"
        autoComplete="new-password"
        required
        minLength={12}
        value={first}
        onChange={(event) => {
          setFirst(event.target.value)
          update(event.target.value, second)
        }}
      />
      <Field
        label={`${label}, again`}
        type="password"
        autoComplete="new-password"
        required
        value={second}
        aria-invalid={mismatch}
        onChange={(event) => {
          setSecond(event.target.value)
          update(first, event.target.value)
        }}
      />
      {mismatch ? (
        <p className="notice error" role="alert">
          The two passwords differ.
        </p>
      ) : null}
    </>
  )
}
