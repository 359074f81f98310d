// IAM-7: ownership transfer. An owner offers ownership to another active user (step-up); the
// recipient accepts (becoming an owner, the sender an admin) or declines; the sender or any
// owner may cancel the offer. One offer is open at a time; the API enforces every rule.
import { useState } from 'react'
import { api } from '../api/client.ts'
import { useApi } from '../api/use-api.ts'
import { useUsers } from '../api/users.ts'
import { ConfirmButton } from '../components/confirm.tsx'
import { SelectField } from '../components/forms.tsx'
import { useStepUp } from '../components/step-up.tsx'
import { ErrorMessage, formatDate, SubmitButton, Success, useAction } from '../components/ui.tsx'
import { useCan, useMe, useSession } from '../session.tsx'

interface Transfer {
  id: string
  from: { id: string; email: string }
  to: { id: string; email: string }
  status: string
  createdAt: string
  expiresAt: string
}

const PATH = '/api/v1/tenant/ownership-transfers'

export function OwnershipTransfer() {
  const me = useMe()
  const can = useCan()
  const { refresh } = useSession()
  const withStepUp = useStepUp()
  const transfers = useApi<{ transfers: Transfer[] }>(PATH)
  const [done, setDone] = useState<string | null>(null)
  const isOwner = me.user.role === 'owner'
  const pending = transfers.data?.transfers.find((t) => t.status === 'pending')
  // Only owners and the recipient of an open offer have anything to do here.
  if (!isOwner && !pending && !done) return null
  const settled = async (message: string) => {
    setDone(message)
    transfers.reload()
    // Accepting changes the roles: the navigation follows.
    await refresh()
  }
  const act = async (action: () => Promise<unknown>, message: string) => {
    await withStepUp(action)
    await settled(message)
  }
  return (
    <section className="panel" aria-labelledby="ownership-heading">
      <h2 id="ownership-heading">Ownership</h2>
      {done ? <Success>{done}</Success> : null}
      <ErrorMessage error={transfers.error} />
      {pending && pending.to.id === me.user.id ? (
        <>
          <p>
            {pending.from.email} offers you ownership of {me.tenant.name}, until{' '}
            {formatDate(pending.expiresAt)}. Accepting makes you an owner and them an admin.
          </p>
          <div className="actions">
            <ConfirmButton
              className="primary"
              title="Become an owner?"
              message={`You become an owner of ${me.tenant.name}; ${pending.from.email} becomes an admin.`}
              confirmLabel="Accept"
              onConfirm={() =>
                act(() => api('POST', `${PATH}/${pending.id}/accept`, {}), 'You are now an owner.')
              }
            >
              Accept ownership
            </ConfirmButton>
            <ConfirmButton
              title="Decline the offer?"
              message="Nothing changes; the owner can offer again."
              confirmLabel="Decline"
              onConfirm={() =>
                act(() => api('POST', `${PATH}/${pending.id}/decline`, {}), 'Offer declined.')
              }
            >
              Decline
            </ConfirmButton>
          </div>
        </>
      ) : null}
      {pending && pending.to.id !== me.user.id ? (
        <>
          <p>
            Ownership is offered to {pending.to.email} (by {pending.from.email}) until{' '}
            {formatDate(pending.expiresAt)}.
          </p>
          <ConfirmButton
            title="Cancel the offer?"
            message={`${pending.to.email} will no longer be able to accept it.`}
            confirmLabel="Cancel the offer"
            onConfirm={() =>
              act(() => api('DELETE', `${PATH}/${pending.id}`), 'The offer is cancelled.')
            }
          >
            Cancel the offer
          </ConfirmButton>
        </>
      ) : null}
      {isOwner && !pending && transfers.data ? (
        <OfferForm canListUsers={can('users.read')} onOffered={settled} />
      ) : null}
    </section>
  )
}

function OfferForm({
  canListUsers,
  onOffered,
}: {
  canListUsers: boolean
  onOffered(message: string): Promise<void>
}) {
  const me = useMe()
  const withStepUp = useStepUp()
  const users = useUsers(canListUsers)
  const [to, setTo] = useState('')
  const { busy, error, run } = useAction()
  const others = (users.data?.users ?? []).filter((u) => u.id !== me.user.id)
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault()
        void run(async () => {
          await withStepUp(() => api('POST', PATH, { toUserId: to }))
          const email = others.find((u) => u.id === to)?.email ?? 'them'
          await onOffered(`Ownership is offered to ${email}; they have 7 days to accept.`)
        })
      }}
    >
      <p>
        Offer ownership to another active member. They must accept it; you then become an admin.
      </p>
      <ErrorMessage error={users.error} />
      <SelectField
        label="Offer ownership to"
        required
        value={to}
        onChange={(event) => setTo(event.target.value)}
      >
        <option value="">Choose a member</option>
        {others.map((u) => (
          <option key={u.id} value={u.id}>
            {u.email}
          </option>
        ))}
      </SelectField>
      <ErrorMessage error={error} />
      <SubmitButton busy={busy}>Offer ownership</SubmitButton>
    </form>
  )
}
