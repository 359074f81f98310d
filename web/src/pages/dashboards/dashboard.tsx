// DATA-1, AUTHZ-2, AUTHZ-3: /dashboards/:dashboardId. The widgets' results as charts for whoever
// may view the dashboard; editing its widgets for whoever may edit it (data.manage, or
// dashboards.write with an edit grant: the API's /access answer says which); sharing with groups
// for holders of groups.read (changes: groups.manage); kiosk links and deletion with data.manage.
import { useState } from 'react'
import { Link, useLocation, useParams } from 'wouter'
import { api } from '../../api/client.ts'
import { useApi } from '../../api/use-api.ts'
import { ConfirmButton } from '../../components/confirm.tsx'
import { useTitle } from '../../components/shell.tsx'
import { Empty, ErrorMessage, formatDate, Loading } from '../../components/ui.tsx'
import { useCan } from '../../session.tsx'
import { WidgetEditor } from './editor.tsx'
import { KioskLinks } from './kiosk-links.tsx'
import { Sharing } from './sharing.tsx'
import type { Dashboard, DashboardAccess, DashboardResults } from './types.ts'
import { WidgetCard } from './widget.tsx'

export function DashboardScreen() {
  const { dashboardId = '' } = useParams<{ dashboardId: string }>()
  const can = useCan()
  const id = encodeURIComponent(dashboardId)
  const dashboard = useApi<Dashboard>(`/api/v1/dashboards/${id}`)
  const results = useApi<DashboardResults>(`/api/v1/dashboards/${id}/data`)
  // Only a role that may write can hold an edit grant that counts; others never edit.
  const access = useApi<DashboardAccess>(
    can('dashboards.write') ? `/api/v1/dashboards/${id}/access` : null,
  )
  const [editing, setEditing] = useState(false)
  useTitle(dashboard.data?.name ?? 'Dashboard')

  if (dashboard.error) {
    return (
      <>
        <h1>Dashboard</h1>
        <ErrorMessage error={dashboard.error} />
        <p>
          <Link href="~/dashboards">All dashboards</Link>
        </p>
      </>
    )
  }
  if (!dashboard.data) return <Loading what="Loading the dashboard" />
  const current = dashboard.data
  const canEdit = access.data?.edit === true
  const reloadAll = () => {
    dashboard.reload()
    results.reload()
  }

  return (
    <>
      <p className="dash-crumbs">
        <Link href="~/dashboards">All dashboards</Link>
      </p>
      <h1>{current.name}</h1>
      {current.description ? <p className="dash-description">{current.description}</p> : null}
      <div className="actions">
        <button type="button" onClick={results.reload} disabled={results.loading}>
          {results.loading ? 'Computing…' : 'Recompute'}
        </button>
        {canEdit ? (
          <button type="button" aria-expanded={editing} onClick={() => setEditing(!editing)}>
            {editing ? 'Close the editor' : 'Edit widgets'}
          </button>
        ) : null}
      </div>
      {results.data ? (
        <p className="dash-note">Computed {formatDate(results.data.generatedAt)}</p>
      ) : null}

      {editing && canEdit ? (
        <WidgetEditor
          dashboard={current}
          onSaved={() => {
            reloadAll()
          }}
          onReload={reloadAll}
        />
      ) : null}

      <section aria-labelledby="widgets-heading">
        <h2 id="widgets-heading">Widgets</h2>
        <ErrorMessage error={results.error} />
        {!results.data && !results.error ? <Loading what="Computing the widgets" /> : null}
        {results.data?.widgets.length === 0 ? (
          <Empty>
            {canEdit
              ? 'This dashboard has no widgets yet. Add one with “Edit widgets”.'
              : 'This dashboard has no widgets yet.'}
          </Empty>
        ) : null}
        {results.data && results.data.widgets.length > 0 ? (
          <div className="dash-widgets">
            {results.data.widgets.map((w) => (
              <WidgetCard key={w.index} widget={w} />
            ))}
          </div>
        ) : null}
      </section>

      {can('groups.read') ? <Sharing dashboardId={current.id} /> : null}
      {can('data.manage') ? <KioskLinks dashboard={current} /> : null}
      {can('data.manage') ? <DeleteDashboard dashboard={current} /> : null}
    </>
  )
}

function DeleteDashboard({ dashboard }: { dashboard: Dashboard }) {
  const [, navigate] = useLocation()
  return (
    <section className="panel" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete</h2>
      <p>
        Deleting removes the dashboard, every group’s access to it and its place on every kiosk
        link. The records it reads stay as they are.
      </p>
      <ConfirmButton
        title="Delete this dashboard?"
        message={`“${dashboard.name}” and its sharing are removed for everyone. This cannot be undone.`}
        confirmLabel="Delete dashboard"
        onConfirm={async () => {
          await api('DELETE', `/api/v1/dashboards/${encodeURIComponent(dashboard.id)}`)
          navigate('~/dashboards')
        }}
      >
        Delete dashboard
      </ConfirmButton>
    </section>
  )
}
