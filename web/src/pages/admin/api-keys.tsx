// IAM-9: API keys. People create keys scoped to a subset of their own permissions (with a recent
// sign-in, IAM-6), see the key once, and revoke their own; holders of api_keys.manage also see
// and revoke everyone's.
import { useState } from 'react'
import { api } from '../../api/client.ts'
import { useApi } from '../../api/use-api.ts'
import { useUsers } from '../../api/users.ts'
import { ConfirmButton } from '../../components/confirm.tsx'
import { SelectField } from '../../components/forms.tsx'
import { useTitle } from '../../components/shell.tsx'
import { ShownOnce } from '../../components/shown-once.tsx'
import { useStepUp } from '../../components/step-up.tsx'
import { Table } from '../../components/table.tsx'
import {
  Empty,
  ErrorMessage,
  Field,
  formatDate,
  Loading,
  SubmitButton,
  useAction,
} from '../../components/ui.tsx'
import { useCan, useMe } from '../../session.tsx'
import type { ApiKey } from './security-types.ts'
import './security.css'

/** The API never gives this one to a key (NOT_FOR_API_KEYS in api-keys.service.ts). */
const NOT_FOR_KEYS = new Set(['owners.manage'])

const EXPIRY_CHOICES = [7, 30, 90, 180, 365]

export function ApiKeys() {
  useTitle('API keys')
  const can = useCan()
  const mine = useApi<{ apiKeys: ApiKey[] }>('/api/v1/me/api-keys?limit=200')
  const everyone = useApi<{ apiKeys: ApiKey[] }>(
    can('api_keys.manage') ? '/api/v1/api-keys?limit=200' : null,
  )
  const reload = () => {
    mine.reload()
    if (can('api_keys.manage')) everyone.reload()
  }
  return (
    <>
      <h1>API keys</h1>
      <p>
        An API key lets a script call Rampart as you, with only the permissions you give it. Send it
        as <code>Authorization: Bearer &lt;key&gt;</code>. It stops working when it expires, when
        you revoke it, or when your own role no longer holds a permission it carries.
      </p>
      {can('api_keys.create') ? <CreateKey onCreated={reload} /> : null}
      <section className="panel security-tables" aria-labelledby="my-keys-heading">
        <h2 id="my-keys-heading">Your keys</h2>
        <KeyTable
          loaded={mine}
          caption="Your API keys"
          revokePath={(id) => `/api/v1/me/api-keys/${encodeURIComponent(id)}`}
          onRevoked={reload}
          emptyText="You have no API keys."
        />
      </section>
      {can('api_keys.manage') ? (
        <section className="panel security-tables" aria-labelledby="all-keys-heading">
          <h2 id="all-keys-heading">Everyone’s keys</h2>
          <KeyTable
            loaded={everyone}
            caption="Every API key of the organisation"
            revokePath={(id) => `/api/v1/api-keys/${encodeURIComponent(id)}`}
            onRevoked={reload}
            emptyText="Nobody in the organisation has an API key."
            showOwner
          />
        </section>
      ) : null}
    </>
  )
}

function CreateKey({ onCreated }: { onCreated(): void }) {
  const me = useMe()
  const withStepUp = useStepUp()
  const grantable = me.user.permissions.filter((p) => !NOT_FOR_KEYS.has(p))
  const [name, setName] = useState('')
  const [days, setDays] = useState('90')
  const [chosen, setChosen] = useState<Set<string>>(new Set())
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null)
  const [formKey, setFormKey] = useState(0)
  const [noScope, setNoScope] = useState(false)
  const { busy, error, setError, run } = useAction()

  const toggle = (permission: string, on: boolean) => {
    const next = new Set(chosen)
    if (on) next.add(permission)
    else next.delete(permission)
    setChosen(next)
  }

  return (
    <section className="panel" aria-labelledby="new-key-heading">
      <h2 id="new-key-heading">Create a key</h2>
      {created ? (
        <>
          <p>
            Key <strong>{created.name}</strong> is ready.
          </p>
          {/* Held in this component only: it is gone after a reload or once dismissed. */}
          <ShownOnce label="API key" value={created.key} />
          <div className="actions">
            <button type="button" onClick={() => setCreated(null)}>
              I have copied it
            </button>
          </div>
        </>
      ) : (
        <form
          key={formKey}
          className="security-form"
          onSubmit={(event) => {
            event.preventDefault()
            if (chosen.size === 0) {
              setError(null)
              setNoScope(true)
              return
            }
            void run(async () => {
              const answer = await withStepUp(() =>
                api<{ apiKey: ApiKey; key: string }>('POST', '/api/v1/me/api-keys', {
                  name: name.trim(),
                  permissions: grantable.filter((p) => chosen.has(p)),
                  expiresInDays: Number(days),
                }),
              )
              setCreated({ name: answer.apiKey.name, key: answer.key })
              setName('')
              setChosen(new Set())
              setDays('90')
              setFormKey((k) => k + 1)
              onCreated()
            })
          }}
        >
          <Field
            label="Name"
            hint="What the key is for, e.g. the script or service using it"
            required
            maxLength={100}
            autoComplete="off"
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
          <SelectField
            label="Expires after"
            value={days}
            onChange={(event) => setDays(event.target.value)}
          >
            {EXPIRY_CHOICES.map((d) => (
              <option key={d} value={d}>
                {d} days
              </option>
            ))}
          </SelectField>
          <fieldset aria-describedby="key-scope-hint">
            <legend>Permissions</legend>
            <p id="key-scope-hint" className="hint">
              Choose at least one. A key can only carry permissions your role holds.
            </p>
            <div className="security-permissions">
              {grantable.map((permission) => (
                <label key={permission} className="choice">
                  <input
                    type="checkbox"
                    checked={chosen.has(permission)}
                    onChange={(event) => {
                      setNoScope(false)
                      toggle(permission, event.target.checked)
                    }}
                  />
                  {permission}
                </label>
              ))}
            </div>
          </fieldset>
          {noScope ? (
            <p className="notice error" role="alert">
              Choose at least one permission for the key.
            </p>
          ) : null}
          <ErrorMessage error={error} />
          <div className="actions">
            <SubmitButton busy={busy}>Create key</SubmitButton>
          </div>
        </form>
      )}
    </section>
  )
}

const STATUS_TEXT: Record<ApiKey['status'], string> = {
  active: 'active',
  expired: 'expired',
  revoked: 'revoked',
}

function KeyTable({
  loaded,
  caption,
  revokePath,
  onRevoked,
  emptyText,
  showOwner = false,
}: {
  loaded: { data: { apiKeys: ApiKey[] } | null; error: unknown; loading: boolean }
  caption: string
  revokePath(id: string): string
  onRevoked(): void
  emptyText: string
  showOwner?: boolean
}) {
  const me = useMe()
  const can = useCan()
  // Who each key acts for, by address: the first page of users is enough for most organisations;
  // anyone beyond it shows by id.
  const users = useUsers(showOwner && can('users.read'))
  const emailOf = (id: string) =>
    id === me.user.id ? 'you' : (users.data?.users.find((u) => u.id === id)?.email ?? id)
  const { data, error, loading } = loaded
  if (error) return <ErrorMessage error={error} />
  if (loading && !data) return <Loading />
  const keys = data?.apiKeys ?? []
  if (keys.length === 0) return <Empty>{emptyText}</Empty>
  return (
    <Table caption={caption}>
      <thead>
        <tr>
          <th scope="col">Name</th>
          {showOwner ? <th scope="col">Acts for</th> : null}
          <th scope="col">Key starts</th>
          <th scope="col">Permissions</th>
          <th scope="col">Created</th>
          <th scope="col">Expires</th>
          <th scope="col">Last used</th>
          <th scope="col">Status</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr key={k.id}>
            <td>{k.name}</td>
            {showOwner ? <td>{emailOf(k.userId)}</td> : null}
            <td>
              <code>{k.prefix}…</code>
            </td>
            <td>{k.permissions.join(', ')}</td>
            <td>{formatDate(k.createdAt)}</td>
            <td>{formatDate(k.expiresAt)}</td>
            <td>
              {formatDate(k.lastUsedAt)}
              {k.lastUsedIp ? ` from ${k.lastUsedIp}` : ''}
            </td>
            <td>
              <span className="badge">{STATUS_TEXT[k.status]}</span>
            </td>
            <td>
              {k.status === 'active' ? (
                <ConfirmButton
                  title="Revoke this key?"
                  message={`Key “${k.name}” (${k.prefix}…) is refused from its next request on. This cannot be undone.`}
                  confirmLabel="Revoke key"
                  onConfirm={async () => {
                    await api('DELETE', revokePath(k.id))
                    onRevoked()
                  }}
                >
                  Revoke<span className="visually-hidden"> {k.name}</span>
                </ConfirmButton>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  )
}
