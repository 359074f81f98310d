// AUTHZ-2: the kinds of resource a group can be granted, as the data module registers them
// (src/modules/access/resource-types.ts has no list route): each with its permissions and the
// list API that names its resources.

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

export interface NamedResource {
  id: string
  name: string
}
