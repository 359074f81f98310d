// AUTHZ-2: who may see or change a dashboard, as grants on resource type `dashboard` to groups
// (the groups grants API). Reading the list needs groups.read; adding and removing groups.manage.
// `edit` implies `view`; either still needs the member's role to hold dashboards.read (and
// dashboards.write to change anything): the role is the ceiling.
import { type FormEvent, useCallback, useEffect, useState } from 'react'
import { api } from '../../api/client.ts'
import { ConfirmButton } from '../../components/confirm.tsx'
import { SelectField } from '../../components/forms.tsx'
import { Table } from '../../components/table.tsx'
import { Empty, ErrorMessage, Loading, SubmitButton, useAction } from '../../components/ui.tsx'
import { useCan } from '../../session.tsx'
import type { Grant, Group } from './types.ts'

const RESOURCE_TYPE = 'dashboard'

interface Shared {
  group: Group
  grant: Grant
}

export function Sharing({ dashboardId }: { dashboardId: string }) {
  const can = useCan()
  const [groups, setGroups] = useState<Group[] | null>(null)
  const [shared, setShared] = useState<Shared[] | null>(null)
  const [error, setError] = useState<unknown>(null)

  // The grants API is per group: read each group's grants and keep this dashboard's.
  const load = useCallback(() => {
    api<{ groups: Group[] }>('GET', '/api/v1/groups')
      .then(async ({ groups: all }) => {
        const lists = await Promise.all(
          all.map((g) =>
            api<{ grants: Grant[] }>('GET', `/api/v1/groups/${encodeURIComponent(g.id)}/grants`),
          ),
        )
        const found: Shared[] = []
        all.forEach((group, i) => {
          for (const grant of lists[i]?.grants ?? []) {
            if (grant.resourceType === RESOURCE_TYPE && grant.resourceId === dashboardId) {
              found.push({ group, grant })
            }
          }
        })
        setGroups(all)
        setShared(found)
        setError(null)
      })
      .catch(setError)
  }, [dashboardId])
  useEffect(load, [load])

  const manage = can('groups.manage')
  return (
    <section className="panel dash-tables" aria-labelledby="sharing-heading">
      <h2 id="sharing-heading">Shared with groups</h2>
      <p className="hint">
        Members of these groups see the dashboard’s figures (never the records); with “edit” and a
        role that may change dashboards they can change its widgets too.
      </p>
      <ErrorMessage error={error} />
      {!shared && !error ? <Loading /> : null}
      {shared?.length === 0 ? <Empty>Not shared with any group.</Empty> : null}
      {shared && shared.length > 0 ? (
        <Table caption="Groups this dashboard is shared with">
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Access</th>
              {manage ? <th scope="col">Change</th> : null}
            </tr>
          </thead>
          <tbody>
            {shared.map(({ group, grant }) => (
              <tr key={grant.id}>
                <td>{group.name}</td>
                <td>{grant.permission === 'edit' ? 'view and edit' : 'view'}</td>
                {manage ? (
                  <td>
                    <ConfirmButton
                      title="Stop sharing with this group?"
                      message={`Members of “${group.name}” lose their ${grant.permission} access to this dashboard at once (unless another group gives it).`}
                      confirmLabel="Remove access"
                      onConfirm={async () => {
                        await api(
                          'DELETE',
                          `/api/v1/groups/${encodeURIComponent(group.id)}/grants/${encodeURIComponent(grant.id)}`,
                        )
                        load()
                      }}
                    >
                      Remove {grant.permission} for {group.name}
                    </ConfirmButton>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
      {manage && groups ? (
        <ShareForm groups={groups} dashboardId={dashboardId} onShared={load} />
      ) : null}
    </section>
  )
}

function ShareForm({
  groups,
  dashboardId,
  onShared,
}: {
  groups: Group[]
  dashboardId: string
  onShared(): void
}) {
  const [groupId, setGroupId] = useState(groups[0]?.id ?? '')
  const [permission, setPermission] = useState<'view' | 'edit'>('view')
  const { busy, error, run } = useAction()
  if (groups.length === 0) {
    return <Empty>There are no groups yet: create one under Administration, Groups.</Empty>
  }
  const submit = (event: FormEvent) => {
    event.preventDefault()
    void run(async () => {
      await api('POST', `/api/v1/groups/${encodeURIComponent(groupId)}/grants`, {
        resourceType: RESOURCE_TYPE,
        resourceId: dashboardId,
        permission,
      })
      onShared()
    })
  }
  return (
    <form onSubmit={submit} aria-labelledby="share-heading">
      <h3 id="share-heading">Share with a group</h3>
      <SelectField label="Group" value={groupId} onChange={(e) => setGroupId(e.target.value)}>
        {groups.map((g) => (
          <option key={g.id} value={g.id}>
            {g.name}
          </option>
        ))}
      </SelectField>
      <SelectField
        label="Access"
        value={permission}
        onChange={(e) => setPermission(e.target.value as 'view' | 'edit')}
      >
        <option value="view">View</option>
        <option value="edit">View and edit</option>
      </SelectField>
      <ErrorMessage error={error} />
      <div className="actions">
        <SubmitButton busy={busy}>Share</SubmitButton>
      </div>
    </form>
  )
}
