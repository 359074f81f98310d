// AUTHZ-2: one group: its members (added from the organisation's users, removed with
// confirmation) and its grants (view or edit on a collection or dashboard, picked from their
// lists). Reading needs groups.read, every change groups.manage; access ends at once on removal.
import { useState } from 'react'
import { Link, useParams } from 'wouter'
import { api } from '../../api/client.ts'
import { useApi } from '../../api/use-api.ts'
import { ConfirmButton } from '../../components/confirm.tsx'
import { SelectField } from '../../components/forms.tsx'
import { useTitle } from '../../components/shell.tsx'
import { Table } from '../../components/table.tsx'
import {
  Empty,
  ErrorMessage,
  formatDate,
  Loading,
  SubmitButton,
  Success,
  useAction,
} from '../../components/ui.tsx'
import { useCan } from '../../session.tsx'
import { type NamedResource, RESOURCE_KINDS } from './people-resources.ts'
import type { Grant, Group as GroupInfo, GroupMember, UserSummary } from './people-types.ts'
import './people.css'

export function Group() {
  const { groupId = '' } = useParams<{ groupId: string }>()
  const base = `/api/v1/groups/${encodeURIComponent(groupId)}`
  const group = useApi<GroupInfo>(base)
  useTitle(group.data ? `Group ${group.data.name}` : 'Group')
  return (
    <div className="people-screen">
      <p>
        <Link href="/groups">All groups</Link>
      </p>
      <h1>{group.data ? group.data.name : 'Group'}</h1>
      <ErrorMessage error={group.error} />
      {group.loading && !group.data ? <Loading /> : null}
      {group.data ? (
        <>
          {group.data.description ? <p>{group.data.description}</p> : null}
          <Members base={base} onChange={group.reload} />
          <Grants base={base} onChange={group.reload} />
        </>
      ) : null}
    </div>
  )
}

interface SectionProps {
  /** The group's API path. */
  base: string
  /** The group's counts changed. */
  onChange(): void
}

function Members({ base, onChange }: SectionProps) {
  const can = useCan()
  const { data, error, loading, reload } = useApi<{ members: GroupMember[] }>(`${base}/members`)
  const [notice, setNotice] = useState<string | null>(null)
  const members = data?.members ?? []
  const mayManage = can('groups.manage')
  const changed = (message: string) => {
    setNotice(message)
    reload()
    onChange()
  }
  return (
    <section className="panel" aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      <ErrorMessage error={error} />
      {notice ? <Success>{notice}</Success> : null}
      {loading && !data ? <Loading /> : null}
      {data && members.length === 0 ? <Empty>No members yet.</Empty> : null}
      {members.length > 0 ? (
        <Table caption="Members">
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Added</th>
              {mayManage ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {members.map((member) => {
              const who = member.email ?? member.userId
              return (
                <tr key={member.userId}>
                  <td className="people-email">{who}</td>
                  <td>{formatDate(member.addedAt)}</td>
                  {mayManage ? (
                    <td>
                      <ConfirmButton
                        title="Remove from the group?"
                        message={`${who} loses at once the access this group gives.`}
                        confirmLabel="Remove member"
                        onConfirm={async () => {
                          await api(
                            'DELETE',
                            `${base}/members/${encodeURIComponent(member.userId)}`,
                          )
                          changed(`${who} was removed from the group.`)
                        }}
                      >
                        Remove<span className="visually-hidden"> {who}</span>
                      </ConfirmButton>
                    </td>
                  ) : null}
                </tr>
              )
            })}
          </tbody>
        </Table>
      ) : null}
      {mayManage && data ? (
        <AddMember
          base={base}
          memberIds={new Set(members.map((m) => m.userId))}
          onAdded={(email) => changed(`${email} was added to the group.`)}
        />
      ) : null}
    </section>
  )
}

function AddMember({
  base,
  memberIds,
  onAdded,
}: {
  base: string
  memberIds: ReadonlySet<string>
  onAdded(email: string): void
}) {
  // The first 200 users by address (the API's largest page): enough to pick from here.
  const users = useApi<{ users: UserSummary[] }>('/api/v1/users?limit=200')
  const [userId, setUserId] = useState('')
  const { busy, error, run } = useAction()
  const candidates = (users.data?.users ?? []).filter(
    (u) => !memberIds.has(u.id) && u.status === 'active',
  )
  const chosen = candidates.find((u) => u.id === userId) ?? candidates[0]
  return (
    <>
      <h3>Add a member</h3>
      <ErrorMessage error={users.error} />
      {users.loading && !users.data ? <Loading what="Loading users" /> : null}
      {users.data && candidates.length === 0 ? (
        <Empty>Every active user is already a member.</Empty>
      ) : null}
      {chosen ? (
        <form
          className="people-inline"
          onSubmit={(event) => {
            event.preventDefault()
            void run(async () => {
              await api('PUT', `${base}/members/${encodeURIComponent(chosen.id)}`)
              setUserId('')
              onAdded(chosen.email)
            })
          }}
        >
          <SelectField
            label="Person"
            value={chosen.id}
            onChange={(event) => setUserId(event.target.value)}
          >
            {candidates.map((u) => (
              <option key={u.id} value={u.id}>
                {u.email} ({u.role})
              </option>
            ))}
          </SelectField>
          <SubmitButton busy={busy}>Add to group</SubmitButton>
        </form>
      ) : null}
      <ErrorMessage error={error} />
    </>
  )
}

/** The collections and dashboards by kind, to name grants and to pick from. */
function useResources(): Record<
  string,
  { items: NamedResource[]; error: unknown; loaded: boolean }
> {
  const collections = useApi<{ collections: NamedResource[] }>('/api/v1/collections')
  const dashboards = useApi<{ dashboards: NamedResource[] }>('/api/v1/dashboards')
  return {
    collection: {
      items: collections.data?.collections ?? [],
      error: collections.error,
      loaded: collections.data !== null,
    },
    dashboard: {
      items: dashboards.data?.dashboards ?? [],
      error: dashboards.error,
      loaded: dashboards.data !== null,
    },
  }
}

function Grants({ base, onChange }: SectionProps) {
  const can = useCan()
  const { data, error, loading, reload } = useApi<{ grants: Grant[] }>(`${base}/grants`)
  const resources = useResources()
  const [notice, setNotice] = useState<string | null>(null)
  const grants = data?.grants ?? []
  const mayManage = can('groups.manage')
  const nameOf = (grant: Grant) =>
    resources[grant.resourceType]?.items.find((r) => r.id === grant.resourceId)?.name ??
    grant.resourceId
  const labelOf = (type: string) => RESOURCE_KINDS.find((k) => k.type === type)?.label ?? type
  const changed = (message: string) => {
    setNotice(message)
    reload()
    onChange()
  }
  return (
    <section className="panel" aria-labelledby="grants-heading">
      <h2 id="grants-heading">Grants</h2>
      <p>
        Members reach these collections and dashboards as far as their role allows: <em>edit</em>{' '}
        includes <em>view</em>.
      </p>
      <ErrorMessage error={error} />
      {notice ? <Success>{notice}</Success> : null}
      {loading && !data ? <Loading /> : null}
      {data && grants.length === 0 ? <Empty>No grants yet.</Empty> : null}
      {grants.length > 0 ? (
        <Table caption="Grants">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Resource</th>
              <th scope="col">Permission</th>
              <th scope="col">Granted</th>
              {mayManage ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {grants.map((grant) => {
              const what = `${grant.permission} on ${labelOf(grant.resourceType).toLowerCase()} ${nameOf(grant)}`
              return (
                <tr key={grant.id}>
                  <td>{labelOf(grant.resourceType)}</td>
                  <td className="people-email">{nameOf(grant)}</td>
                  <td>{grant.permission}</td>
                  <td>{formatDate(grant.createdAt)}</td>
                  {mayManage ? (
                    <td>
                      <ConfirmButton
                        title="Remove this grant?"
                        message={`The members lose ${what} at once.`}
                        confirmLabel="Remove grant"
                        onConfirm={async () => {
                          await api('DELETE', `${base}/grants/${encodeURIComponent(grant.id)}`)
                          changed(`Grant removed: ${what}.`)
                        }}
                      >
                        Remove<span className="visually-hidden"> {what}</span>
                      </ConfirmButton>
                    </td>
                  ) : null}
                </tr>
              )
            })}
          </tbody>
        </Table>
      ) : null}
      {mayManage ? (
        <AddGrant
          base={base}
          resources={resources}
          onAdded={(what) => changed(`Granted ${what}.`)}
        />
      ) : null}
    </section>
  )
}

function AddGrant({
  base,
  resources,
  onAdded,
}: {
  base: string
  resources: ReturnType<typeof useResources>
  onAdded(what: string): void
}) {
  const [type, setType] = useState(RESOURCE_KINDS[0]?.type ?? '')
  const [resourceId, setResourceId] = useState('')
  const [permission, setPermission] = useState('view')
  const { busy, error, run } = useAction()
  const kind = RESOURCE_KINDS.find((k) => k.type === type)
  const list = resources[type]
  const chosen = list?.items.find((r) => r.id === resourceId) ?? list?.items[0]
  return (
    <>
      <h3>Add a grant</h3>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          if (!chosen) return
          void run(async () => {
            await api('POST', `${base}/grants`, {
              resourceType: type,
              resourceId: chosen.id,
              permission,
            })
            onAdded(`${permission} on ${kind?.label.toLowerCase() ?? type} ${chosen.name}`)
          })
        }}
      >
        <div className="people-inline">
          <SelectField
            label="Kind"
            value={type}
            onChange={(event) => {
              setType(event.target.value)
              setResourceId('')
            }}
          >
            {RESOURCE_KINDS.map((k) => (
              <option key={k.type} value={k.type}>
                {k.label}
              </option>
            ))}
          </SelectField>
          {chosen ? (
            <SelectField
              label={kind?.label ?? 'Resource'}
              value={chosen.id}
              onChange={(event) => setResourceId(event.target.value)}
            >
              {list?.items.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </SelectField>
          ) : null}
          <SelectField
            label="Permission"
            value={permission}
            onChange={(event) => setPermission(event.target.value)}
          >
            {(kind?.permissions ?? []).map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </SelectField>
        </div>
        <ErrorMessage error={list?.error} />
        {list?.loaded && list.items.length === 0 ? (
          <Empty>There is no {kind?.label.toLowerCase() ?? type} to grant yet.</Empty>
        ) : null}
        <ErrorMessage error={error} />
        {chosen ? <SubmitButton busy={busy}>Add grant</SubmitButton> : null}
      </form>
    </>
  )
}
