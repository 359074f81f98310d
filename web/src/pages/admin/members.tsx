// IAM-1, IAM-7, AUTHZ-1: the organisation's users and invitations. Invite by e-mail with a role,
// resend or revoke pending invitations; change a user's role, deactivate, reactivate or remove
// them, reset their second factors (IAM-4) and end their sessions (IAM-6). The API decides who may
// do what (last-owner protection included); its refusals are shown as they come.
import { useEffect, useRef, useState } from 'react'
import { api } from '../../api/client.ts'
import { usePaged } from '../../api/use-paged.ts'
import { ConfirmButton } from '../../components/confirm.tsx'
import { SelectField } from '../../components/forms.tsx'
import { PagedList } from '../../components/paged-list.tsx'
import { SessionList } from '../../components/session-list.tsx'
import { useTitle } from '../../components/shell.tsx'
import { useStepUp } from '../../components/step-up.tsx'
import { Table } from '../../components/table.tsx'
import {
  ErrorMessage,
  Field,
  formatDate,
  SubmitButton,
  Success,
  useAction,
} from '../../components/ui.tsx'
import { useCan, useMe } from '../../session.tsx'
import { type Invitation, ROLES, type Role, type UserSummary } from './people-types.ts'
import './people.css'

/** Owners can be made (or invited) only by holders of owners.manage (IAM-7). */
function useAssignableRoles(current?: Role): Role[] {
  const can = useCan()
  return ROLES.filter((role) => role !== 'owner' || can('owners.manage') || current === 'owner')
}

export function Members() {
  useTitle('Users and invitations')
  const can = useCan()
  const users = usePaged<UserSummary>('/api/v1/users', 'users')
  const invitations = usePaged<Invitation>('/api/v1/invitations', 'invitations')
  const [selected, setSelected] = useState<UserSummary | null>(null)
  const [removed, setRemoved] = useState<string | null>(null)
  return (
    <div className="people-screen">
      <h1>Users and invitations</h1>
      {can('users.invite') ? <InviteForm onInvited={invitations.reload} /> : null}
      <Invitations list={invitations} />
      <section className="panel" aria-labelledby="users-heading">
        <h2 id="users-heading">Users</h2>
        {removed ? <Success>{removed} was removed from the organisation.</Success> : null}
        <PagedList list={users} empty="No users yet." moreLabel="Show more users">
          {(items) => <UserTable users={items} onManage={setSelected} />}
        </PagedList>
      </section>
      {selected ? (
        <ManageUser
          key={selected.id}
          user={selected}
          onChanged={(changed) => {
            setSelected(changed)
            setRemoved(null)
            users.reload()
          }}
          onRemoved={() => {
            setRemoved(selected.email)
            setSelected(null)
            users.reload()
          }}
          onClose={() => setSelected(null)}
        />
      ) : null}
    </div>
  )
}

function InviteForm({ onInvited }: { onInvited(): void }) {
  const withStepUp = useStepUp()
  const roles = useAssignableRoles()
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<Role>('member')
  const [sent, setSent] = useState<string | null>(null)
  const { busy, error, run } = useAction()
  return (
    <section className="panel" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      <p>They get a link by e-mail, valid for 7 days, to create their account.</p>
      {sent ? <Success>Invitation sent to {sent}.</Success> : null}
      <form
        className="people-inline"
        onSubmit={(event) => {
          event.preventDefault()
          void run(async () => {
            setSent(null)
            // IAM-1, IAM-7: inviting can make an admin or owner, so the API asks for a recent sign-in.
            const created = await withStepUp(() =>
              api<Invitation>('POST', '/api/v1/invitations', { email: email.trim(), role }),
            )
            setSent(created.email)
            setEmail('')
            onInvited()
          })
        }}
      >
        <Field
          label="E-mail address"
          type="email"
          autoComplete="off"
          required
          maxLength={254}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <SelectField
          label="Role"
          value={role}
          onChange={(event) => setRole(event.target.value as Role)}
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </SelectField>
        <SubmitButton busy={busy}>Send invitation</SubmitButton>
      </form>
      <ErrorMessage error={error} />
    </section>
  )
}

interface InvitationList {
  items: Invitation[]
  error: unknown
  loading: boolean
  hasMore: boolean
  loadMore(): void
  reload(): void
}

function Invitations({ list }: { list: InvitationList }) {
  const can = useCan()
  const withStepUp = useStepUp()
  const [notice, setNotice] = useState<string | null>(null)
  const { error, run } = useAction()
  const mayInvite = can('users.invite')
  return (
    <section className="panel" aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Pending invitations</h2>
      {notice ? <Success>{notice}</Success> : null}
      <PagedList
        list={list}
        error={error}
        empty="No pending invitations."
        moreLabel="Show more invitations"
      >
        {(items) => (
          <Table caption="Pending invitations">
            <thead>
              <tr>
                <th scope="col">E-mail address</th>
                <th scope="col">Role</th>
                <th scope="col">Sent</th>
                <th scope="col">Expires</th>
                {mayInvite ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {items.map((invitation) => (
                <tr key={invitation.id}>
                  <td className="people-email">{invitation.email}</td>
                  <td>{invitation.role}</td>
                  <td>{formatDate(invitation.sentAt)}</td>
                  <td>
                    {invitation.expired ? (
                      <span className="badge people-off">expired</span>
                    ) : (
                      formatDate(invitation.expiresAt)
                    )}
                  </td>
                  {mayInvite ? (
                    <td>
                      <div className="people-row-actions">
                        <button
                          type="button"
                          onClick={() =>
                            run(async () => {
                              setNotice(null)
                              await withStepUp(() =>
                                api(
                                  'POST',
                                  `/api/v1/invitations/${encodeURIComponent(invitation.id)}/resend`,
                                ),
                              )
                              setNotice(`A new link went to ${invitation.email}.`)
                              list.reload()
                            })
                          }
                        >
                          Resend<span className="visually-hidden"> to {invitation.email}</span>
                        </button>
                        <ConfirmButton
                          title="Revoke this invitation?"
                          message={`The link mailed to ${invitation.email} will stop working.`}
                          confirmLabel="Revoke invitation"
                          onConfirm={async () => {
                            await api(
                              'DELETE',
                              `/api/v1/invitations/${encodeURIComponent(invitation.id)}`,
                            )
                            setNotice(`The invitation of ${invitation.email} was revoked.`)
                            list.reload()
                          }}
                        >
                          Revoke<span className="visually-hidden"> {invitation.email}</span>
                        </ConfirmButton>
                      </div>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </PagedList>
    </section>
  )
}

function UserTable({
  users,
  onManage,
}: {
  users: UserSummary[]
  onManage(user: UserSummary): void
}) {
  const me = useMe()
  return (
    <Table caption="Users">
      <thead>
        <tr>
          <th scope="col">E-mail address</th>
          <th scope="col">Role</th>
          <th scope="col">Status</th>
          <th scope="col">Last sign-in</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {users.map((user) => (
          <tr key={user.id}>
            <td className="people-email">
              {user.email}
              {user.id === me.user.id ? <span className="badge">you</span> : null}
              {user.emailVerified ? null : <span className="badge">unverified</span>}
            </td>
            <td>{user.role}</td>
            <td>
              {user.status === 'active' ? (
                'active'
              ) : (
                <span className="badge people-off">deactivated</span>
              )}
            </td>
            <td>{formatDate(user.lastSignInAt)}</td>
            <td>
              <button type="button" onClick={() => onManage(user)}>
                Manage<span className="visually-hidden"> {user.email}</span>
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  )
}

interface ManageUserProps {
  user: UserSummary
  onChanged(user: UserSummary): void
  onRemoved(): void
  onClose(): void
}

function ManageUser({ user, onChanged, onRemoved, onClose }: ManageUserProps) {
  const me = useMe()
  const can = useCan()
  const withStepUp = useStepUp()
  const heading = useRef<HTMLHeadingElement>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const roles = useAssignableRoles(user.role)
  const [role, setRole] = useState<Role>(user.role)
  const roleChange = useAction()
  const path = `/api/v1/users/${encodeURIComponent(user.id)}`
  // The panel opens below the table: take keyboard and screen-reader focus there.
  useEffect(() => heading.current?.focus(), [])
  const self = user.id === me.user.id
  return (
    <section className="panel" aria-labelledby="manage-heading">
      <h2 id="manage-heading" ref={heading} tabIndex={-1}>
        Manage <span className="people-email">{user.email}</span>
      </h2>
      <dl className="facts">
        <dt>Role</dt>
        <dd>{user.role}</dd>
        <dt>Status</dt>
        <dd>{user.status}</dd>
        <dt>E-mail address</dt>
        <dd>{user.emailVerified ? 'verified' : 'not verified'}</dd>
        <dt>Joined</dt>
        <dd>{formatDate(user.createdAt)}</dd>
        <dt>Last sign-in</dt>
        <dd>{formatDate(user.lastSignInAt)}</dd>
      </dl>
      {notice ? <Success>{notice}</Success> : null}
      {self ? (
        <p className="notice warning">
          This is you. Change your own password, factors and sessions under My account.
        </p>
      ) : null}
      {!self && can('users.manage') ? (
        <>
          <h3>Role</h3>
          <form
            className="people-inline"
            onSubmit={(event) => {
              event.preventDefault()
              void roleChange.run(async () => {
                setNotice(null)
                // AUTHZ-1, IAM-7: a role change needs a recent sign-in (step-up).
                const changed = await withStepUp(() =>
                  api<UserSummary>('PUT', `${path}/role`, { role }),
                )
                setNotice(`${changed.email} is now ${changed.role}.`)
                onChanged(changed)
              })
            }}
          >
            <SelectField
              label="New role"
              value={role}
              onChange={(event) => setRole(event.target.value as Role)}
            >
              {roles.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </SelectField>
            <SubmitButton busy={roleChange.busy}>Change role</SubmitButton>
          </form>
          <ErrorMessage error={roleChange.error} />
          <h3>Access</h3>
          <div className="actions">
            {user.status === 'active' ? (
              <ConfirmButton
                title="Deactivate this user?"
                message={`${user.email} is signed out everywhere at once and their API keys are revoked. Reactivating gives the account back, not the sessions or keys.`}
                confirmLabel="Deactivate"
                onConfirm={async () => {
                  const changed = await api<UserSummary>('POST', `${path}/deactivate`)
                  setNotice(`${changed.email} is deactivated.`)
                  onChanged(changed)
                }}
              >
                Deactivate
              </ConfirmButton>
            ) : (
              <ConfirmButton
                className=""
                title="Reactivate this user?"
                message={`${user.email} will be able to sign in again.`}
                confirmLabel="Reactivate"
                onConfirm={async () => {
                  const changed = await api<UserSummary>('POST', `${path}/reactivate`)
                  setNotice(`${changed.email} is active again.`)
                  onChanged(changed)
                }}
              >
                Reactivate
              </ConfirmButton>
            )}
            {can('users.mfa.reset') ? (
              <ConfirmButton
                title="Reset second factors?"
                message={`The authenticator app, recovery codes and passkeys of ${user.email} are removed and all their sessions end. Do this only when you know it is them asking (a lost phone).`}
                confirmLabel="Reset second factors"
                onConfirm={async () => {
                  const { revokedSessions } = await withStepUp(() =>
                    api<{ revokedSessions: number }>('DELETE', `${path}/mfa`),
                  )
                  setNotice(`Second factors reset; ${revokedSessions} session(s) ended.`)
                }}
              >
                Reset second factors
              </ConfirmButton>
            ) : null}
            <ConfirmButton
              title="Remove this user?"
              message={`${user.email} and everything that hangs on them (sessions, factors, API keys, group memberships) are deleted. This cannot be undone.`}
              confirmLabel="Remove user"
              onConfirm={async () => {
                await withStepUp(() => api('DELETE', path))
                onRemoved()
              }}
            >
              Remove from the organisation
            </ConfirmButton>
          </div>
        </>
      ) : null}
      {!self && can('sessions.manage') ? <UserSessions userId={user.id} /> : null}
      <div className="actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  )
}

/** IAM-6: another user's live sessions, each ended on its own or all at once. */
function UserSessions({ userId }: { userId: string }) {
  return (
    <>
      <h3>Sessions</h3>
      <SessionList path={`/api/v1/users/${encodeURIComponent(userId)}/sessions`} />
    </>
  )
}
