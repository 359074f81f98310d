// AUTHZ-1: the five roles and what each allows, from GET /api/v1/roles (the one catalogue in
// src/modules/access/permissions.ts), as a matrix: a row per permission, a column per role.
import { useApi } from '../../api/use-api.ts'
import { useTitle } from '../../components/shell.tsx'
import { Table } from '../../components/table.tsx'
import { Empty, ErrorMessage, Loading } from '../../components/ui.tsx'
import type { RoleCatalogue } from './people-types.ts'
import './people.css'

const ROLE_SUMMARIES: Record<string, string> = {
  owner: 'Everything, and the only role that makes or unmakes owners and transfers ownership.',
  admin:
    'Runs the organisation day to day: users, groups, security settings, credentials, reviews.',
  member: 'Uses what their groups are granted, and may make API keys for their own work.',
  viewer: 'Reads only what their groups are granted.',
  auditor: 'Read-only oversight: the audit log, who has access, and the access reviews.',
}

export function Roles() {
  useTitle('Roles')
  const { data, error, loading } = useApi<RoleCatalogue>('/api/v1/roles')
  return (
    <div className="people-screen">
      <h1>Roles</h1>
      <p>
        Every user has one role. Groups add access to particular collections and dashboards on top
        of it; a role never grants those by itself.
      </p>
      <ErrorMessage error={error} />
      {loading && !data ? <Loading /> : null}
      {data && data.roles.length === 0 ? <Empty>No roles.</Empty> : null}
      {data && data.roles.length > 0 ? (
        <>
          <section className="panel" aria-labelledby="roles-summary">
            <h2 id="roles-summary">The roles</h2>
            <dl className="facts">
              {data.roles.map((role) => (
                <div key={role.name} className="people-contents">
                  <dt>{role.name}</dt>
                  <dd>
                    {ROLE_SUMMARIES[role.name] ?? ''} ({role.permissions.length} permissions)
                  </dd>
                </div>
              ))}
            </dl>
          </section>
          <section className="panel" aria-labelledby="roles-matrix">
            <h2 id="roles-matrix">What each role allows</h2>
            <div className="people-matrix">
              <Table caption="Permissions of each role">
                <thead>
                  <tr>
                    <th scope="col" className="people-perm">
                      Permission
                    </th>
                    {data.roles.map((role) => (
                      <th key={role.name} scope="col">
                        {role.name}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {data.permissions.map((permission) => (
                    <tr key={permission.name}>
                      <th scope="row" className="people-perm">
                        <code>{permission.name}</code>
                        <br />
                        <small>{permission.description}</small>
                      </th>
                      {data.roles.map((role) => {
                        const allowed = role.permissions.includes(permission.name)
                        return (
                          <td key={role.name} className={allowed ? 'people-yes' : 'people-no'}>
                            <span aria-hidden="true">{allowed ? '✓' : '–'}</span>
                            <span className="visually-hidden">{allowed ? 'yes' : 'no'}</span>
                          </td>
                        )
                      })}
                    </tr>
                  ))}
                </tbody>
              </Table>
            </div>
          </section>
        </>
      ) : null}
    </div>
  )
}
