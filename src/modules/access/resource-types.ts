// AUTHZ-2: the kinds of resource a group can be granted access to. The module that owns a kind
// (the data module: collections, dashboards) registers it once, at start-up, naming its
// permissions and how to tell whether an id exists in an organisation. A grant can only name a
// registered type, one of that type's permissions and an existing resource of the caller's own
// organisation; the access checks (grants.service.ts) resolve implications through this registry.
import type { Trx } from '../../db/tenant.ts'

/** The names the group_grants table accepts for types and permissions (its CHECK constraints). */
export const RESOURCE_NAME = /^[a-z][a-z_]{0,31}$/

export interface ResourceTypeDefinition {
  /** `collection`, `dashboard`, ...: lower case and `_`, at most 32 characters. */
  type: string
  /** What a grant on one resource of this type may allow, e.g. `['view', 'edit']`. */
  permissions: readonly string[]
  /**
   * What holding a permission also gives: `{ edit: ['view'] }` makes an `edit` grant enough
   * wherever `view` is checked. Transitive. Without it, each permission stands alone.
   */
  implies?: Readonly<Record<string, readonly string[]>>
  /**
   * Whether a resource of this type with `resourceId` exists in the organisation. Runs inside
   * the caller's withTenant transaction, so row-level security already hides other tenants'
   * rows; filter by `tenantId` too (two locks, not one).
   */
  exists(trx: Trx, tenantId: string, resourceId: string): Promise<boolean>
}

export interface ResourceType {
  readonly type: string
  readonly permissions: readonly string[]
  exists(trx: Trx, tenantId: string, resourceId: string): Promise<boolean>
  /** The granted permissions that give `permission`: itself and every one implying it. */
  grantedBy(permission: string): readonly string[]
  /** Whether `permission` is one of this type's own. */
  has(permission: string): boolean
}

const registry = new Map<string, ResourceType>()

function fail(message: string): never {
  throw new TypeError(`registerResourceType: ${message}`)
}

/** Every permission `start` gives, itself included, following implications transitively. */
function conferredBy(start: string, implies: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>([start])
  const queue = [start]
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const implied of implies.get(next) ?? []) {
      if (!seen.has(implied)) {
        seen.add(implied)
        queue.push(implied)
      }
    }
  }
  return seen
}

/**
 * Registers a resource type. Throws on a malformed definition or a type registered twice: both
 * are programming errors, best found at start-up.
 */
export function registerResourceType(definition: ResourceTypeDefinition): ResourceType {
  const { type, permissions } = definition
  if (!RESOURCE_NAME.test(type)) fail(`type ${JSON.stringify(type)} is not a resource name`)
  if (registry.has(type)) fail(`type ${type} is already registered`)
  if (permissions.length === 0) fail(`type ${type} has no permissions`)
  const own = new Set<string>()
  for (const permission of permissions) {
    if (!RESOURCE_NAME.test(permission) || own.has(permission)) {
      fail(`type ${type}: permission ${JSON.stringify(permission)} is malformed or repeated`)
    }
    own.add(permission)
  }
  // Own keys only: an inherited `constructor` or `__proto__` must not read as an implication.
  const implies = new Map<string, readonly string[]>()
  for (const [from, to] of Object.entries(definition.implies ?? {})) {
    for (const name of [from, ...to]) {
      if (!own.has(name)) fail(`type ${type}: implication names unknown permission ${name}`)
    }
    implies.set(from, [...to])
  }
  const grantedBy = new Map<string, readonly string[]>()
  for (const permission of own) grantedBy.set(permission, [])
  for (const holder of own) {
    for (const given of conferredBy(holder, implies)) {
      grantedBy.set(given, [...(grantedBy.get(given) ?? []), holder])
    }
  }
  const registered: ResourceType = Object.freeze({
    type,
    permissions: Object.freeze([...own]),
    exists: definition.exists,
    has: (permission: string) => own.has(permission),
    grantedBy: (permission: string) => grantedBy.get(permission) ?? [],
  })
  registry.set(type, registered)
  return registered
}

export function findResourceType(type: string): ResourceType | undefined {
  return registry.get(type)
}

/** The registered types, by name. */
export function registeredResourceTypes(): ResourceType[] {
  return [...registry.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
}
