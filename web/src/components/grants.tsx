// AUTHZ-2: the grants of one group or on one resource, in one component: the list, "add" and
// "remove" (confirmed). On a group's page it picks resources to grant (a collection or a
// dashboard, then a permission of that kind); on a resource's page it picks groups. Reading needs
// groups.read (the caller shows this only then), changes groups.manage; access given or taken
// away takes effect at once. The API calls and types are in api/grants.ts.
import { type ReactNode, useId, useState } from 'react'
import {
  addGrant,
  GROUPS_PATH,
  type Grant,
  type Group,
  groupGrantsPath,
  type NamedResource,
  RESOURCE_KINDS,
  type ResourceGrant,
  removeGrant,
  resourceGrantsPath,
  resourceKind,
} from '../api/grants.ts'
import { type Loaded, useApi } from '../api/use-api.ts'
import { useCan } from '../session.tsx'
import { ConfirmButton } from './confirm.tsx'
import { SelectField } from './forms.tsx'
import { Table } from './table.tsx'
import {
  Empty,
  ErrorMessage,
  formatDate,
  Loading,
  SubmitButton,
  Success,
  useAction,
} from './ui.tsx'

/** Whose grants: one group's (pick resources to grant) or one resource's (pick groups). */
export type GrantsSubject = { groupId: string } | { resourceType: string; resourceId: string }

export interface GrantsProps {
  subject: GrantsSubject
  /** The section's heading, which also names it. */
  heading: string
  /** What the grants mean here, under the heading. */
  intro?: ReactNode
  /** Shown when there is no grant. */
  emptyText: string
  /** The add form's submit button. */
  addLabel: string
  /** Extra classes for the section (besides `panel`). */
  className?: string
  /** A grant was added or removed (e.g. to refresh a group's counts). */
  onChange?(): void
}

export function Grants({ subject, ...view }: GrantsProps) {
  return 'groupId' in subject ? (
    <GroupGrants groupId={subject.groupId} {...view} />
  ) : (
    <ResourceGrants resourceType={subject.resourceType} resourceId={subject.resourceId} {...view} />
  )
}

type ViewProps = Omit<GrantsProps, 'subject'>

/** One row of the list: the grant, the cells that name it, and words for the notices. */
interface Row {
  grant: Grant
  cells: string[]
  /** e.g. "edit on collection Sales", "view for Sales team". */
  what: string
  /** What removing it does, for the confirmation. */
  consequence: string
}

/** Reports an added or removed grant: a notice, then the list and the caller refresh. */
type Changed = (message: string) => void

function GroupGrants({ groupId, ...view }: ViewProps & { groupId: string }) {
  const list = useApi<{ grants: Grant[] }>(groupGrantsPath(groupId))
  const resources = useResources()
  const rows = list.data?.grants.map((grant): Row => {
    const kind = resourceKind(grant.resourceType)
    const label = kind?.label ?? grant.resourceType
    const name =
      resources[grant.resourceType]?.items.find((r) => r.id === grant.resourceId)?.name ??
      grant.resourceId
    const what = `${grant.permission} on ${label.toLowerCase()} ${name}`
    return { grant, cells: [label, name], what, consequence: `The members lose ${what} at once.` }
  })
  return (
    <GrantsView
      {...view}
      list={list}
      rows={rows}
      columns={['Kind', 'Resource']}
      addForm={(changed) => (
        <PickResource
          groupId={groupId}
          resources={resources}
          addLabel={view.addLabel}
          onAdded={changed}
        />
      )}
    />
  )
}

function ResourceGrants({
  resourceType,
  resourceId,
  ...view
}: ViewProps & { resourceType: string; resourceId: string }) {
  // One request for every group's grants on the resource (GET /api/v1/grants).
  const list = useApi<{ grants: ResourceGrant[] }>(resourceGrantsPath(resourceType, resourceId))
  const rows = list.data?.grants.map(
    (grant): Row => ({
      grant,
      cells: [grant.groupName],
      what: `${grant.permission} for ${grant.groupName}`,
      consequence: `Members of “${grant.groupName}” lose their ${grant.permission} access at once (unless another group gives it).`,
    }),
  )
  return (
    <GrantsView
      {...view}
      list={list}
      rows={rows}
      columns={['Group']}
      addForm={(changed) => (
        <PickGroup
          resourceType={resourceType}
          resourceId={resourceId}
          addLabel={view.addLabel}
          onAdded={changed}
        />
      )}
    />
  )
}

function GrantsView({
  heading,
  intro,
  emptyText,
  className,
  onChange,
  list,
  rows,
  columns,
  addForm,
}: ViewProps & {
  list: Pick<Loaded<unknown>, 'error' | 'loading' | 'reload'>
  rows: Row[] | undefined
  columns: string[]
  addForm(changed: Changed): ReactNode
}) {
  const can = useCan()
  const headingId = useId()
  const [notice, setNotice] = useState<string | null>(null)
  const mayManage = can('groups.manage')
  const changed: Changed = (message) => {
    setNotice(message)
    list.reload()
    onChange?.()
  }
  return (
    <section className={className ? `panel ${className}` : 'panel'} aria-labelledby={headingId}>
      <h2 id={headingId}>{heading}</h2>
      {intro}
      <ErrorMessage error={list.error} />
      {notice ? <Success>{notice}</Success> : null}
      {list.loading && !rows ? <Loading /> : null}
      {rows?.length === 0 ? <Empty>{emptyText}</Empty> : null}
      {rows && rows.length > 0 ? (
        <Table caption={heading}>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
              <th scope="col">Permission</th>
              <th scope="col">Granted</th>
              {mayManage ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {rows.map(({ grant, cells, what, consequence }) => (
              <tr key={grant.id}>
                {cells.map((text, i) => (
                  // The cells of one row are fixed in number and order.
                  // biome-ignore lint/suspicious/noArrayIndexKey: see above
                  <td key={i}>{text}</td>
                ))}
                <td>{grant.permission}</td>
                <td>{formatDate(grant.createdAt)}</td>
                {mayManage ? (
                  <td>
                    <ConfirmButton
                      title="Remove this grant?"
                      message={consequence}
                      confirmLabel="Remove grant"
                      onConfirm={async () => {
                        await removeGrant(grant.groupId, grant.id)
                        changed(`Grant removed: ${what}.`)
                      }}
                    >
                      Remove<span className="visually-hidden"> {what}</span>
                    </ConfirmButton>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
      {mayManage && rows ? addForm(changed) : null}
    </section>
  )
}

type Resources = Record<string, { items: NamedResource[]; error: unknown; loaded: boolean }>

/** The collections and dashboards by kind, to name a group's grants and to pick from. */
function useResources(): Resources {
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

/** A group's add form: a kind, one of its resources, one of its permissions. */
function PickResource({
  groupId,
  resources,
  addLabel,
  onAdded,
}: {
  groupId: string
  resources: Resources
  addLabel: string
  onAdded: Changed
}) {
  const first = RESOURCE_KINDS[0]
  const [type, setType] = useState(first?.type ?? '')
  const [resourceId, setResourceId] = useState('')
  const [permission, setPermission] = useState(first?.permissions[0] ?? '')
  const { busy, error, run } = useAction()
  const headingId = useId()
  const kind = resourceKind(type)
  const label = kind?.label ?? type
  const list = resources[type]
  const chosen = list?.items.find((r) => r.id === resourceId) ?? list?.items[0]
  return (
    <form
      aria-labelledby={headingId}
      onSubmit={(event) => {
        event.preventDefault()
        if (!chosen) return
        void run(async () => {
          await addGrant(groupId, { resourceType: type, resourceId: chosen.id, permission })
          onAdded(`Granted ${permission} on ${label.toLowerCase()} ${chosen.name}.`)
        })
      }}
    >
      <h3 id={headingId}>Add a grant</h3>
      <SelectField
        label="Kind"
        value={type}
        onChange={(event) => {
          const next = event.target.value
          setType(next)
          setResourceId('')
          // Each kind has its own permissions: start again from the new kind's first.
          setPermission(resourceKind(next)?.permissions[0] ?? '')
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
          label={label}
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
      <PermissionField
        permissions={kind?.permissions ?? []}
        value={permission}
        onChange={setPermission}
      />
      <ErrorMessage error={list?.error} />
      {list?.loaded && list.items.length === 0 ? (
        <Empty>There is no {label.toLowerCase()} to grant yet.</Empty>
      ) : null}
      <ErrorMessage error={error} />
      {chosen ? (
        <div className="actions">
          <SubmitButton busy={busy}>{addLabel}</SubmitButton>
        </div>
      ) : null}
    </form>
  )
}

/** A resource's add form: a group, one of the resource kind's permissions. */
function PickGroup({
  resourceType,
  resourceId,
  addLabel,
  onAdded,
}: {
  resourceType: string
  resourceId: string
  addLabel: string
  onAdded: Changed
}) {
  const groups = useApi<{ groups: Group[] }>(GROUPS_PATH)
  const permissions = resourceKind(resourceType)?.permissions ?? []
  const [groupId, setGroupId] = useState('')
  const [permission, setPermission] = useState(permissions[0] ?? '')
  const { busy, error, run } = useAction()
  const headingId = useId()
  const all = groups.data?.groups ?? []
  const chosen = all.find((g) => g.id === groupId) ?? all[0]
  return (
    <form
      aria-labelledby={headingId}
      onSubmit={(event) => {
        event.preventDefault()
        if (!chosen) return
        void run(async () => {
          await addGrant(chosen.id, { resourceType, resourceId, permission })
          onAdded(`Granted ${permission} to ${chosen.name}.`)
        })
      }}
    >
      <h3 id={headingId}>Add a group</h3>
      <ErrorMessage error={groups.error} />
      {groups.loading && !groups.data ? <Loading what="Loading groups" /> : null}
      {groups.data && all.length === 0 ? (
        <Empty>There are no groups yet: create one under Administration, Groups.</Empty>
      ) : null}
      {chosen ? (
        <>
          <SelectField
            label="Group"
            value={chosen.id}
            onChange={(event) => setGroupId(event.target.value)}
          >
            {all.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </SelectField>
          <PermissionField permissions={permissions} value={permission} onChange={setPermission} />
          <ErrorMessage error={error} />
          <div className="actions">
            <SubmitButton busy={busy}>{addLabel}</SubmitButton>
          </div>
        </>
      ) : null}
    </form>
  )
}

function PermissionField({
  permissions,
  value,
  onChange,
}: {
  permissions: readonly string[]
  value: string
  onChange(permission: string): void
}) {
  return (
    <SelectField
      label="Permission"
      value={value}
      onChange={(event) => onChange(event.target.value)}
    >
      {permissions.map((p) => (
        <option key={p} value={p}>
          {p}
        </option>
      ))}
    </SelectField>
  )
}
