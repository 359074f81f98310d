// AUTHZ-2: the organisation's groups, with their member and grant counts; create, rename (and
// describe) and delete them. Reading needs groups.read, every change groups.manage.
import { useState } from 'react'
import { Link } from 'wouter'
import { api } from '../../api/client.ts'
import type { Group } from '../../api/grants.ts'
import { useApi } from '../../api/use-api.ts'
import { ConfirmButton } from '../../components/confirm.tsx'
import { Modal } from '../../components/modal.tsx'
import { useTitle } from '../../components/shell.tsx'
import { Table } from '../../components/table.tsx'
import {
  Empty,
  ErrorMessage,
  Loading,
  SubmitButton,
  Success,
  useAction,
} from '../../components/ui.tsx'
import { useCan } from '../../session.tsx'
import { GroupFields } from './people-group-fields.tsx'
import './people.css'

export function Groups() {
  useTitle('Groups')
  const can = useCan()
  const { data, error, loading, reload } = useApi<{ groups: Group[] }>('/api/v1/groups')
  const [notice, setNotice] = useState<string | null>(null)
  const [renaming, setRenaming] = useState<Group | null>(null)
  const mayManage = can('groups.manage')
  const groups = data?.groups ?? []
  return (
    <div className="people-screen">
      <h1>Groups</h1>
      <p>
        A group gives its members access to particular collections and dashboards, on top of what
        their role allows.
      </p>
      {mayManage ? (
        <CreateGroup
          onCreated={(group) => {
            setNotice(`Group ${group.name} created.`)
            reload()
          }}
        />
      ) : null}
      <section className="panel" aria-labelledby="groups-heading">
        <h2 id="groups-heading">All groups</h2>
        <ErrorMessage error={error} />
        {notice ? <Success>{notice}</Success> : null}
        {loading && !data ? <Loading /> : null}
        {data && groups.length === 0 ? <Empty>No groups yet.</Empty> : null}
        {groups.length > 0 ? (
          <Table caption="Groups">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Description</th>
                <th scope="col">Members</th>
                <th scope="col">Grants</th>
                {mayManage ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {groups.map((group) => (
                <tr key={group.id}>
                  <td>
                    <Link href={`/groups/${encodeURIComponent(group.id)}`}>{group.name}</Link>
                  </td>
                  <td>{group.description ?? ''}</td>
                  <td>{group.memberCount}</td>
                  <td>{group.grantCount}</td>
                  {mayManage ? (
                    <td>
                      <div className="people-row-actions">
                        <button type="button" onClick={() => setRenaming(group)}>
                          Rename<span className="visually-hidden"> {group.name}</span>
                        </button>
                        <ConfirmButton
                          title="Delete this group?"
                          message={`${group.name} is deleted with its ${group.memberCount} membership(s) and ${group.grantCount} grant(s): the access it gave ends at once.`}
                          confirmLabel="Delete group"
                          onConfirm={async () => {
                            await api('DELETE', `/api/v1/groups/${encodeURIComponent(group.id)}`)
                            setNotice(`Group ${group.name} deleted.`)
                            reload()
                          }}
                        >
                          Delete<span className="visually-hidden"> {group.name}</span>
                        </ConfirmButton>
                      </div>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </Table>
        ) : null}
      </section>
      <RenameGroup
        group={renaming}
        onClose={() => setRenaming(null)}
        onRenamed={(group) => {
          setRenaming(null)
          setNotice(`Group saved as ${group.name}.`)
          reload()
        }}
      />
    </div>
  )
}

function CreateGroup({ onCreated }: { onCreated(group: Group): void }) {
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const { busy, error, run } = useAction()
  return (
    <section className="panel" aria-labelledby="create-group-heading">
      <h2 id="create-group-heading">New group</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          void run(async () => {
            const created = await api<Group>('POST', '/api/v1/groups', {
              name,
              ...(description.trim() ? { description } : {}),
            })
            setName('')
            setDescription('')
            onCreated(created)
          })
        }}
      >
        <GroupFields
          name={name}
          description={description}
          onName={setName}
          onDescription={setDescription}
        />
        <ErrorMessage error={error} />
        <SubmitButton busy={busy}>Create group</SubmitButton>
      </form>
    </section>
  )
}

interface RenameGroupProps {
  group: Group | null
  onClose(): void
  onRenamed(group: Group): void
}

function RenameGroup({ group, onClose, onRenamed }: RenameGroupProps) {
  return (
    <Modal open={group !== null} title="Rename group" onClose={onClose}>
      {group ? (
        <RenameForm key={group.id} group={group} onClose={onClose} onRenamed={onRenamed} />
      ) : null}
    </Modal>
  )
}

function RenameForm({ group, onClose, onRenamed }: RenameGroupProps & { group: Group }) {
  const [name, setName] = useState(group.name)
  const [description, setDescription] = useState(group.description ?? '')
  const { busy, error, run } = useAction()
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault()
        void run(async () => {
          const saved = await api<Group>(
            'PATCH',
            `/api/v1/groups/${encodeURIComponent(group.id)}`,
            {
              name,
              description: description.trim() ? description : null,
            },
          )
          onRenamed(saved)
        })
      }}
    >
      <GroupFields
        name={name}
        description={description}
        onName={setName}
        onDescription={setDescription}
      />
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <SubmitButton busy={busy}>Save</SubmitButton>
      </div>
    </form>
  )
}
