// AUTHZ-3: the kiosk links showing this dashboard (data.manage). A link is a public, read-only
// page of the dashboards' figures for a wall screen; its token is in the create answer only, so
// it is shown once (ShownOnce). Revoking takes effect at the next request and asks first.
import { type FormEvent, useState } from 'react'
import { api } from '../../api/client.ts'
import { useApi } from '../../api/use-api.ts'
import { ConfirmButton } from '../../components/confirm.tsx'
import { TextAreaField } from '../../components/forms.tsx'
import { ShownOnce } from '../../components/shown-once.tsx'
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
import type { Dashboard, KioskLink } from './types.ts'

const STATUS_WORDS: Record<KioskLink['status'], string> = {
  active: 'active',
  expired: 'expired',
  revoked: 'revoked',
}

export function KioskLinks({ dashboard }: { dashboard: Dashboard }) {
  const links = useApi<{ kioskLinks: KioskLink[] }>('/api/v1/kiosk-links')
  const [created, setCreated] = useState<string | null>(null)
  const mine = links.data?.kioskLinks.filter((l) => l.dashboardIds.includes(dashboard.id)) ?? null
  return (
    <section className="panel dash-tables" aria-labelledby="kiosk-heading">
      <h2 id="kiosk-heading">Kiosk links</h2>
      <p className="hint">
        A kiosk link opens this dashboard’s figures without signing in, for a wall screen. Anyone
        holding the link sees them, so limit it to the screens’ addresses where you can.
      </p>
      {created ? (
        <ShownOnce label="kiosk link" value={created} onDone={() => setCreated(null)} />
      ) : null}
      <ErrorMessage error={links.error} />
      {links.loading && !mine ? <Loading /> : null}
      {mine?.length === 0 ? <Empty>No kiosk link shows this dashboard.</Empty> : null}
      {mine && mine.length > 0 ? (
        <Table caption="Kiosk links of this dashboard">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Expires</th>
              <th scope="col">Addresses</th>
              <th scope="col">Last viewed</th>
              <th scope="col">Revoke</th>
            </tr>
          </thead>
          <tbody>
            {mine.map((l) => (
              <tr key={l.id}>
                <td>
                  {l.name}
                  <br />
                  <small>
                    <code>{l.prefix}…</code>
                  </small>
                </td>
                <td>
                  <span className="badge">{STATUS_WORDS[l.status]}</span>
                </td>
                <td>{l.expiresAt ? formatDate(l.expiresAt) : 'never'}</td>
                <td>{l.ipAllowlist.length > 0 ? l.ipAllowlist.join(', ') : 'any'}</td>
                <td>{formatDate(l.lastViewedAt)}</td>
                <td>
                  {l.status === 'active' ? (
                    <ConfirmButton
                      title="Revoke this kiosk link?"
                      message={`Screens showing “${l.name}” get a refusal from their next reload on. This cannot be undone: make a new link instead.`}
                      confirmLabel="Revoke link"
                      onConfirm={async () => {
                        await api('DELETE', `/api/v1/kiosk-links/${encodeURIComponent(l.id)}`)
                        setCreated(null)
                        links.reload()
                      }}
                    >
                      Revoke {l.name}
                    </ConfirmButton>
                  ) : (
                    '–'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
      <CreateKioskLink
        dashboard={dashboard}
        onCreated={(url) => {
          setCreated(url)
          links.reload()
        }}
      />
    </section>
  )
}

function CreateKioskLink({
  dashboard,
  onCreated,
}: {
  dashboard: Dashboard
  onCreated(url: string): void
}) {
  const [name, setName] = useState(`${dashboard.name} screen`)
  const [expires, setExpires] = useState('')
  const [allowlist, setAllowlist] = useState('')
  const { busy, error, run } = useAction()
  const submit = (event: FormEvent) => {
    event.preventDefault()
    void run(async () => {
      const ranges = allowlist.split(/[\s,]+/).filter((r) => r !== '')
      const answer = await api<{ url: string }>('POST', '/api/v1/kiosk-links', {
        name,
        dashboardIds: [dashboard.id],
        // datetime-local is the browser's local time; the API takes an instant.
        ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}),
        ...(ranges.length > 0 ? { ipAllowlist: ranges } : {}),
      })
      onCreated(answer.url)
    })
  }
  return (
    <form onSubmit={submit} aria-labelledby="new-kiosk-heading">
      <h3 id="new-kiosk-heading">New kiosk link</h3>
      <Field
        label="Link name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        required
        maxLength={100}
      />
      <Field
        label="Expires (optional)"
        type="datetime-local"
        value={expires}
        onChange={(e) => setExpires(e.target.value)}
        hint="Your local time. Empty: the link works until revoked."
      />
      <TextAreaField
        label="Allowed addresses (optional)"
        value={allowlist}
        onChange={(e) => setAllowlist(e.target.value)}
        rows={2}
        hint="IPv4 or IPv6 addresses or ranges such as 203.0.113.0/24, one per line. Empty: any address."
      />
      <ErrorMessage error={error} />
      <div className="actions">
        <SubmitButton busy={busy}>Create kiosk link</SubmitButton>
      </div>
    </form>
  )
}
