// IAM-8: the organisation's IP allowlist, edited as a whole and saved with a recent sign-in
// (IAM-6). The API refuses a list that would shut out the address of the request that saves it
// (ACCESS_ALLOWLIST_LOCKS_YOU_OUT), so the self-lockout check is the server's: the console shows
// that refusal as a warning, with the address the API saw for this browser, and offers to add it.
import { useEffect, useRef, useState } from 'react'
import { ApiError, api } from '../../api/client.ts'
import type { DeviceSession } from '../../api/types.ts'
import { useApi } from '../../api/use-api.ts'
import { ConfirmDialog } from '../../components/confirm.tsx'
import { Modal } from '../../components/modal.tsx'
import { useTitle } from '../../components/shell.tsx'
import { useStepUp } from '../../components/step-up.tsx'
import {
  Empty,
  ErrorMessage,
  Field,
  formatDate,
  Loading,
  SubmitButton,
  Success,
  useAction,
} from '../../components/ui.tsx'
import type { AllowlistEntry } from './security-types.ts'
import './security.css'

interface DraftEntry {
  /** React's key only: entries have no id until saved. */
  key: number
  cidr: string
  label: string
}

let nextKey = 0
const draftOf = (cidr: string, label: string | null): DraftEntry => ({
  key: ++nextKey,
  cidr,
  label: label ?? '',
})

/** The range that holds exactly one address. */
function singleRange(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`
}

/** The row the API named in a refusal (details.index), if any. */
function badIndex(error: unknown): number | null {
  if (!(error instanceof ApiError)) return null
  const index = (error.details as { index?: unknown } | undefined)?.index
  return typeof index === 'number' ? index : null
}

export function Network() {
  useTitle('IP allowlist')
  const list = useApi<{ entries: AllowlistEntry[] }>('/api/v1/tenant/ip-allowlist')
  const sessions = useApi<{ sessions: DeviceSession[] }>('/api/v1/me/sessions')
  const myIp = sessions.data?.sessions.find((s) => s.current)?.ip ?? null
  return (
    <>
      <h1>IP allowlist</h1>
      <p>
        When the list has entries, Rampart accepts sign-ins, sessions and API keys of this
        organisation only from addresses inside them. An empty list lets every address in.
      </p>
      <section className="panel" aria-labelledby="my-address-heading">
        <h2 id="my-address-heading">This browser</h2>
        {sessions.loading && !sessions.data ? <Loading what="Finding your address" /> : null}
        {sessions.data ? (
          <p>
            Rampart sees this browser at{' '}
            <strong className="security-address" data-testid="my-address">
              {myIp ?? 'an unknown address'}
            </strong>
            . Keep it inside the list, or you lock yourself out.
          </p>
        ) : null}
        <ErrorMessage error={sessions.error} />
      </section>
      <ErrorMessage error={list.error} />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data ? <AllowlistEditor saved={list.data.entries} myIp={myIp} /> : null}
    </>
  )
}

function AllowlistEditor({ saved, myIp }: { saved: AllowlistEntry[]; myIp: string | null }) {
  const withStepUp = useStepUp()
  const [current, setCurrent] = useState(saved)
  const [draft, setDraft] = useState<DraftEntry[]>(() => saved.map((e) => draftOf(e.cidr, e.label)))
  const [dirty, setDirty] = useState(false)
  const [done, setDone] = useState<string | null>(null)
  const [lockout, setLockout] = useState(false)
  const [liftAll, setLiftAll] = useState(false)
  const { busy, error, setError, run } = useAction()
  const rows = useRef<HTMLUListElement>(null)
  const [focusLast, setFocusLast] = useState(false)

  // Keyboard users land in the range they just added.
  useEffect(() => {
    if (!focusLast) return
    rows.current?.querySelector<HTMLInputElement>('li:last-child input')?.focus()
    setFocusLast(false)
  }, [focusLast])

  const change = (next: DraftEntry[]) => {
    setDraft(next)
    setDirty(true)
    setDone(null)
  }
  const update = (key: number, patch: Partial<DraftEntry>) =>
    change(draft.map((e) => (e.key === key ? { ...e, ...patch } : e)))

  const save = (entries: DraftEntry[]) =>
    run(async () => {
      const body = {
        entries: entries
          .filter((e) => e.cidr.trim() !== '')
          .map((e) => ({
            cidr: e.cidr.trim(),
            ...(e.label.trim() ? { label: e.label.trim() } : {}),
          })),
      }
      try {
        const answer = await withStepUp(() =>
          api<{ entries: AllowlistEntry[] }>('PUT', '/api/v1/tenant/ip-allowlist', body),
        )
        setCurrent(answer.entries)
        setDraft(answer.entries.map((e) => draftOf(e.cidr, e.label)))
        setDirty(false)
        setLockout(false)
        setDone(
          answer.entries.length === 0
            ? 'Saved. The list is empty: every address is allowed.'
            : `Saved. ${answer.entries.length} range(s) allowed.`,
        )
      } catch (failure) {
        // Nothing was saved: the warning explains why and offers the way out.
        if (failure instanceof ApiError && failure.code === 'ACCESS_ALLOWLIST_LOCKS_YOU_OUT') {
          setLockout(true)
          return
        }
        throw failure
      }
    })

  const addMine = () => {
    if (!myIp) return
    const mine = draftOf(singleRange(myIp), 'This browser')
    const next = [...draft, mine]
    setDraft(next)
    void save(next)
  }

  const invalid = badIndex(error)
  // The API counts only the entries sent, which skip blank rows.
  const sentRows = draft.filter((e) => e.cidr.trim() !== '')
  const invalidKey = invalid === null ? null : (sentRows[invalid]?.key ?? null)

  return (
    <section className="panel" aria-labelledby="allowlist-heading">
      <h2 id="allowlist-heading">Allowed ranges</h2>
      <p className="hint">
        In force now:{' '}
        {current.length === 0
          ? 'no entries (every address allowed)'
          : `${current.length} range(s), saved ${formatDate(current[0]?.createdAt ?? null)}`}
      </p>
      <form
        className="security-form"
        onSubmit={(event) => {
          event.preventDefault()
          // Emptying a list in force lets every address in: that weakens a control, so it asks.
          if (draft.length === 0 && current.length > 0) setLiftAll(true)
          else void save(draft)
        }}
      >
        {draft.length === 0 ? (
          <Empty>No entries: every address is allowed. Add a range to restrict access.</Empty>
        ) : (
          <ul className="security-entries" aria-label="Ranges" ref={rows}>
            {draft.map((entry, index) => (
              <li key={entry.key} className="security-entry">
                <Field
                  label={`Range ${index + 1}`}
                  hint="An address or a CIDR range, IPv4 or IPv6"
                  placeholder="203.0.113.0/24"
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={64}
                  required
                  value={entry.cidr}
                  aria-invalid={invalidKey === entry.key ? true : undefined}
                  onChange={(event) => update(entry.key, { cidr: event.target.value })}
                />
                <Field
                  label={`Label ${index + 1}`}
                  hint="Optional, up to 64 characters"
                  placeholder="Head office"
                  maxLength={64}
                  value={entry.label}
                  onChange={(event) => update(entry.key, { label: event.target.value })}
                />
                <button
                  type="button"
                  aria-label={`Remove range ${index + 1}${entry.cidr ? ` (${entry.cidr})` : ''}`}
                  onClick={() => change(draft.filter((e) => e.key !== entry.key))}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        {invalid !== null ? (
          <p className="notice error" role="alert">
            Range {invalid + 1}: {messageOfRefusal(error)}
          </p>
        ) : (
          <ErrorMessage error={error} />
        )}
        {done ? <Success>{done}</Success> : null}
        {dirty ? (
          <p className="hint" role="status">
            Unsaved changes: nothing applies until you save.
          </p>
        ) : null}
        <div className="actions">
          <button
            type="button"
            onClick={() => {
              change([...draft, draftOf('', null)])
              setFocusLast(true)
            }}
            disabled={draft.length >= 100}
          >
            Add a range
          </button>
          <SubmitButton busy={busy}>Save the list</SubmitButton>
        </div>
      </form>
      <ConfirmDialog
        open={liftAll}
        title="Allow every address?"
        message={
          <p className="notice warning">
            Saving an empty list lifts the restriction: sign-ins, sessions and API keys of this
            organisation are accepted from any address again.
          </p>
        }
        confirmLabel="Allow every address"
        onConfirm={async () => {
          // The save shows its own progress and refusal in the form.
          setLiftAll(false)
          await save([])
        }}
        onCancel={() => setLiftAll(false)}
      />
      <Modal
        open={lockout}
        title="This list would lock you out"
        onClose={() => {
          setLockout(false)
          setError(null)
        }}
      >
        <p className="notice warning" role="alert">
          None of these ranges contains{' '}
          <strong className="security-address">{myIp ?? 'the address of this browser'}</strong>, the
          address Rampart sees for this browser. Saving it would shut you out at once, so Rampart
          did not save it.
        </p>
        <p>
          {myIp
            ? `Add ${singleRange(myIp)} (this browser) to the list and save, or go back and change the list.`
            : 'Go back and add a range that contains your address.'}
        </p>
        <div className="actions">
          <button type="button" onClick={() => setLockout(false)} disabled={busy}>
            Cancel
          </button>
          {myIp ? (
            <button type="button" className="primary" onClick={addMine} disabled={busy}>
              Add {singleRange(myIp)} and save
            </button>
          ) : null}
        </div>
      </Modal>
    </section>
  )
}

/** The refusal without the API's zero-based "Entry N" (the row is named already). */
function messageOfRefusal(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Check this range.'
  switch (error.code) {
    case 'ACCESS_CIDR_INVALID':
      return 'not a valid IPv4 or IPv6 address or CIDR range (for example 203.0.113.0/24 or 2001:db8::/32).'
    case 'ACCESS_CIDR_DUPLICATE':
      return 'repeats an earlier range (after normalising it).'
    case 'ACCESS_LABEL_INVALID':
      return 'the label has at most 64 characters and no control characters.'
    default:
      return error.message
  }
}
