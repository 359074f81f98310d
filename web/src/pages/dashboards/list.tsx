// DATA-1: /dashboards, the dashboards the user may view (all of them with data.manage), and for
// holders of data.manage a form to create one (its widgets are added on its own screen).
import { type FormEvent, useState } from 'react'
import { Link, useLocation } from 'wouter'
import { api } from '../../api/client.ts'
import { useApi } from '../../api/use-api.ts'
import { TextAreaField } from '../../components/forms.tsx'
import { useTitle } from '../../components/shell.tsx'
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
import { useCan } from '../../session.tsx'
import type { Dashboard, DashboardSummary } from './types.ts'

export function DashboardList() {
  useTitle('Dashboards')
  const can = useCan()
  const { data, error, loading } = useApi<{ dashboards: DashboardSummary[] }>('/api/v1/dashboards')
  const dashboards = data?.dashboards ?? null
  return (
    <>
      <h1>Dashboards</h1>
      <section className="panel" aria-labelledby="dashboards-heading">
        <h2 id="dashboards-heading">
          {can('data.manage') ? 'All dashboards' : 'Dashboards shared with you'}
        </h2>
        <ErrorMessage error={error} />
        {loading && !dashboards ? <Loading /> : null}
        {dashboards?.length === 0 ? (
          <Empty>
            {can('data.manage')
              ? 'No dashboards yet. Create the first one below.'
              : 'No dashboard is shared with your groups yet.'}
          </Empty>
        ) : null}
        {dashboards && dashboards.length > 0 ? (
          <Table caption="Dashboards">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Widgets</th>
                <th scope="col">Changed</th>
              </tr>
            </thead>
            <tbody>
              {dashboards.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Link href={`/${d.id}`}>{d.name}</Link>
                    {d.description ? (
                      <>
                        <br />
                        <small>{d.description}</small>
                      </>
                    ) : null}
                  </td>
                  <td>{d.widgetCount}</td>
                  <td>{formatDate(d.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : null}
      </section>
      {can('data.manage') ? <CreateDashboard /> : null}
    </>
  )
}

function CreateDashboard() {
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [, navigate] = useLocation()
  const { busy, error, run } = useAction()
  const submit = (event: FormEvent) => {
    event.preventDefault()
    void run(async () => {
      const created = await api<Dashboard>('POST', '/api/v1/dashboards', {
        name,
        description: description.trim() === '' ? null : description,
        widgets: [],
      })
      navigate(`/${created.id}`)
    })
  }
  return (
    <section className="panel" aria-labelledby="create-dashboard-heading">
      <h2 id="create-dashboard-heading">New dashboard</h2>
      <form onSubmit={submit}>
        <Field
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={100}
        />
        <TextAreaField
          label="Description (optional)"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          maxLength={500}
          rows={2}
        />
        <ErrorMessage error={error} />
        <div className="actions">
          <SubmitButton busy={busy}>Create dashboard</SubmitButton>
        </div>
      </form>
    </section>
  )
}
