// AUTHZ-2: one group: its members (added from the organisation's users, removed with
// confirmation) and its grants (view or edit on a collection or dashboard, picked from their
// lists: the shared Grants component, components/grants.tsx). Reading needs groups.read, every
// change groups.manage; access ends at once on removal.
import { useState } from 'react'
import { Link, useParams } from 'wouter'
import { api } from '../../api/client.ts'
import type { Group as GroupInfo } from '../../api/grants.ts'
import { useApi } from '../../api/use-api.ts'
import { ConfirmButton } from '../../components/confirm.tsx'
import { SelectField } from '../../components/forms.tsx'
import { Grants } from '../../components/grants.tsx'
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
import type { GroupMember, UserSummary } from './people-types.ts'
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
          <Grants
            subject={{ groupId }}
            heading="Grants"
            intro={
              <p>
                Members reach these collections and dashboards as far as their role allows:{' '}
                <em>edit</em> includes <em>view</em>.
              </p>
            }
            emptyText="No grants yet."
            addLabel="Add grant"
            onChange={group.reload}
          />
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
