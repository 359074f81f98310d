// IAM-4: the organisation's MFA policy, changed with a recent sign-in (IAM-6). Users the policy
// obliges who have no second factor get an enrolment-only session at their next sign-in: the
// screen says how many that is, before and after saving.
import { useState } from 'react'
import { Link } from 'wouter'
import { api } from '../../api/client.ts'
import type { MfaState } from '../../api/types.ts'
import { useApi } from '../../api/use-api.ts'
import { useTitle } from '../../components/shell.tsx'
import { useStepUp } from '../../components/step-up.tsx'
import { ErrorMessage, Loading, SubmitButton, Success, useAction } from '../../components/ui.tsx'
import { useMe } from '../../session.tsx'
import type { MfaPolicy, MfaPolicyState } from './security-types.ts'
import './security.css'

const POLICIES: { value: MfaPolicy; label: string; explanation: string }[] = [
  {
    value: 'optional',
    label: 'Optional',
    explanation: 'Each person decides whether to set up a second factor.',
  },
  {
    value: 'admins',
    label: 'Required for owners and admins',
    explanation:
      'Owners and admins without an authenticator app or a passkey must set one up at their next sign-in before they can do anything else.',
  },
  {
    value: 'all',
    label: 'Required for everyone',
    explanation:
      'Everyone without an authenticator app or a passkey must set one up at their next sign-in before they can do anything else.',
  },
]

/** Whether `policy` obliges someone of `role` (mfaRequiredFor on the server). */
function obliges(policy: MfaPolicy, role: string): boolean {
  return policy === 'all' || (policy === 'admins' && (role === 'owner' || role === 'admin'))
}

export function SecurityPolicy() {
  useTitle('Sign-in security')
  const loaded = useApi<MfaPolicyState>('/api/v1/tenant/mfa-policy')
  const mine = useApi<MfaState>('/api/v1/me/mfa')
  return (
    <>
      <h1>Sign-in security</h1>
      <ErrorMessage error={loaded.error} />
      {loaded.loading && !loaded.data ? <Loading /> : null}
      {loaded.data ? <PolicyForm saved={loaded.data} mine={mine.data} /> : null}
    </>
  )
}

function PolicyForm({ saved, mine }: { saved: MfaPolicyState; mine: MfaState | null }) {
  const me = useMe()
  const withStepUp = useStepUp()
  const [state, setState] = useState(saved)
  const [choice, setChoice] = useState<MfaPolicy>(saved.policy)
  const [done, setDone] = useState(false)
  const { busy, error, run } = useAction()
  const iHaveAFactor = Boolean(mine?.totp?.enabled || (mine?.passkeys.count ?? 0) > 0)
  const affectsMe = mine !== null && !iHaveAFactor && obliges(choice, me.user.role)
  return (
    <section className="panel" aria-labelledby="mfa-policy-heading">
      <h2 id="mfa-policy-heading">Second factor (MFA) policy</h2>
      <p>
        In force now: <strong>{POLICIES.find((p) => p.value === state.policy)?.label}</strong>.
        {state.policy === 'optional'
          ? null
          : ` ${state.usersWithoutRequiredMfa} user(s) it obliges have no second factor yet and will have to set one up at their next sign-in.`}
      </p>
      <form
        className="security-policy"
        onSubmit={(event) => {
          event.preventDefault()
          void run(async () => {
            const answer = await withStepUp(() =>
              api<MfaPolicyState>('PUT', '/api/v1/tenant/mfa-policy', { policy: choice }),
            )
            setState(answer)
            setDone(true)
          })
        }}
      >
        <fieldset>
          <legend>Who must use a second factor</legend>
          {POLICIES.map((p) => (
            <label key={p.value} className="choice">
              <input
                type="radio"
                name="mfa-policy"
                value={p.value}
                checked={choice === p.value}
                onChange={() => {
                  setChoice(p.value)
                  setDone(false)
                }}
              />
              <span>
                {p.label}
                <small>{p.explanation}</small>
              </span>
            </label>
          ))}
        </fieldset>
        {affectsMe ? (
          <p className="notice warning">
            You have no authenticator app or passkey yet: with this policy you will have to set one
            up at your next sign-in. <Link href="~/account/mfa">Set one up now</Link>.
          </p>
        ) : null}
        <ErrorMessage error={error} />
        {done ? (
          <Success>
            Policy saved.
            {state.policy === 'optional'
              ? ''
              : ` ${state.usersWithoutRequiredMfa} user(s) will have to set up a second factor at their next sign-in.`}
          </Success>
        ) : null}
        <div className="actions">
          <SubmitButton busy={busy}>Save the policy</SubmitButton>
        </div>
      </form>
    </section>
  )
}
