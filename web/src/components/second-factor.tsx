// IAM-4: the choice of second factor and its field, the same at sign-in and at step-up: a code
// from the authenticator app, a recovery code, or a passkey (asked of the browser on submit).
import { Field } from './ui.tsx'

export type FactorMethod = 'totp' | 'recovery_code' | 'passkey'

const LABELS: Record<FactorMethod, string> = {
  totp: 'Authenticator app',
  recovery_code: 'Recovery code',
  passkey: 'Passkey',
}

interface SecondFactorFieldsProps {
  methods: FactorMethod[]
  method: FactorMethod
  onMethod(method: FactorMethod): void
  code: string
  onCode(code: string): void
  /** Radio group name: unique per form on the page. */
  name: string
}

export function SecondFactorFields({
  methods,
  method,
  onMethod,
  code,
  onCode,
  name,
}: SecondFactorFieldsProps) {
  return (
    <>
      {methods.length > 1 ? (
        <fieldset>
          <legend>Confirm with</legend>
          {methods.map((m) => (
            <label className="choice" key={m}>
              <input
                type="radio"
                name={name}
                value={m}
                checked={method === m}
                onChange={() => {
                  onMethod(m)
                  onCode('')
                }}
              />
              {LABELS[m]}
            </label>
          ))}
        </fieldset>
      ) : null}
      {method === 'totp' ? (
        <Field
          label="Six-digit code from your authenticator app"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9 ]{6,7}"
          required
          value={code}
          onChange={(event) => onCode(event.target.value)}
        />
      ) : null}
      {method === 'recovery_code' ? (
        <Field
          label="One of your recovery codes"
          hint="Each recovery code works once"
          name="code"
          autoComplete="one-time-code"
          autoCapitalize="none"
          required
          value={code}
          onChange={(event) => onCode(event.target.value)}
        />
      ) : null}
      {method === 'passkey' ? (
        <p className="hint">When you continue, your browser asks for your passkey.</p>
      ) : null}
    </>
  )
}

/** The code as the API takes it: TOTP digits without spaces, recovery codes trimmed. */
export function normalisedCode(method: FactorMethod, code: string): string {
  return method === 'totp' ? code.replace(/\s/g, '') : code.trim()
}
