// AUTHZ-2: who may see or change a dashboard, as grants on resource type `dashboard` to groups:
// the shared Grants component (components/grants.tsx), which reads them in one request
// (GET /api/v1/grants) and picks groups to add. Reading needs groups.read; adding and removing
// groups.manage. `edit` implies `view`; either still needs the member's role to hold
// dashboards.read (and dashboards.write to change anything): the role is the ceiling.
import { Grants } from '../../components/grants.tsx'

export function Sharing({ dashboardId }: { dashboardId: string }) {
  return (
    <Grants
      subject={{ resourceType: 'dashboard', resourceId: dashboardId }}
      heading="Shared with groups"
      className="dash-tables"
      intro={
        <p className="hint">
          Members of these groups see the dashboard’s figures (never the records); with “edit”
          (which includes “view”) and a role that may change dashboards they can change its widgets
          too.
        </p>
      }
      emptyText="Not shared with any group."
      addLabel="Share"
    />
  )
}
