// AUTHZ-2: groups and their grants as the console reads them (docs/groups.md; /docs/json is the
// source), the kinds of resource a group can be granted, and the calls that change grants. Both
// the group page (admin) and a resource's own sharing section use these.
import { api } from './client.ts'

/** A group as GET /api/v1/groups lists it. */
export interface Group {
  id: string
  name: string
  description: string | null
  memberCount: number
  grantCount: number
  createdAt: string
  updatedAt: string
}

/** One grant as a group's list answers it. */
export interface Grant {
  id: string
  groupId: string
  resourceType: string
  resourceId: string
  permission: string
  createdAt: string
}

/** One grant as a resource's list answers it: with the name of the group holding it. */
export interface ResourceGrant extends Grant {
  groupName: string
}

export interface NamedResource {
  id: string
  name: string
}

/**
 * The kinds of resource a group can be granted, as the data module registers them
 * (src/modules/access/resource-types.ts has no list route): each with its permissions, in the
 * order offered, and the list API that names its resources.
 */
export interface ResourceKind {
  type: string
  label: string
  permissions: readonly string[]
  /** The list route and the key of its array; each item has an id and a name. */
  list: { path: string; key: string }
}

export const RESOURCE_KINDS: readonly ResourceKind[] = [
  {
    type: 'collection',
    label: 'Collection',
    permissions: ['view', 'edit'],
    list: { path: '/api/v1/collections', key: 'collections' },
  },
  {
    type: 'dashboard',
    label: 'Dashboard',
    permissions: ['view', 'edit'],
    list: { path: '/api/v1/dashboards', key: 'dashboards' },
  },
]

export function resourceKind(type: string): ResourceKind | undefined {
  return RESOURCE_KINDS.find((k) => k.type === type)
}

export const GROUPS_PATH = '/api/v1/groups'

const groupPath = (groupId: string) => `${GROUPS_PATH}/${encodeURIComponent(groupId)}`

/** GET: one group's grants (`{ grants: Grant[] }`). */
export const groupGrantsPath = (groupId: string) => `${groupPath(groupId)}/grants`

/** GET: every group's grants on one resource (`{ grants: ResourceGrant[] }`), in one request. */
export const resourceGrantsPath = (resourceType: string, resourceId: string) =>
  `/api/v1/grants?${new URLSearchParams({ resourceType, resourceId })}`

/** Grants the group's members `permission` on one resource (idempotent). */
export function addGrant(
  groupId: string,
  grant: { resourceType: string; resourceId: string; permission: string },
): Promise<Grant> {
  return api<Grant>('POST', groupGrantsPath(groupId), grant)
}

/** Removes a grant; the access it gave ends at once. */
export function removeGrant(groupId: string, grantId: string): Promise<unknown> {
  return api('DELETE', `${groupGrantsPath(groupId)}/${encodeURIComponent(grantId)}`)
}
