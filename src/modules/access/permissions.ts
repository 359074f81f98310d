// AUTHZ-1: one catalogue of permissions, and each role as a named set of them. Services and
// route guards check a permission, never a role name, so what a role may do is decided here and
// only here; docs/permissions.md documents the same matrix and a test holds the two equal.
import { HttpErrors } from '../../http/errors.ts'
import type { UserRole } from '../identity/users.table.ts'

export const PERMISSIONS = {
  'tenant.security.manage': "Change the organisation's MFA policy and IP allowlist",
  'users.read': 'List the members of the organisation, their roles and invitations',
  'users.invite': 'Invite people by e-mail, re-send and revoke invitations',
  'users.manage': 'Change roles (below owner), deactivate, reactivate and remove users',
  'users.mfa.reset': "Reset another user's second factors",
  'owners.manage': 'Make or unmake owners and transfer ownership',
  'sessions.manage': "List and revoke other users' sessions and devices",
  'groups.read': 'List groups, their members and their grants',
  'groups.manage': 'Create, rename and delete groups; change members and grants',
  'api_keys.create': 'Create API keys scoped to a subset of one’s own permissions',
  'api_keys.manage': "List and revoke everyone's API keys",
  'audit.read': "Read and export the organisation's audit log",
  'vault.manage': 'Store, rotate, use and delete integration credentials',
  'access_reviews.read': 'Read access reviews and export completed ones as evidence',
  'access_reviews.manage': 'Open access reviews, decide keep or revoke, complete them',
  // DATA-1, AUTHZ-2: data permissions. Except for `data.manage`, each is only a ceiling: the
  // collection or dashboard itself must also be granted to one of the user's groups.
  'data.manage':
    'Define collections and dashboards, manage kiosk links, reach every collection and dashboard, restore deleted data',
  'records.read': 'Read records of collections granted to one of one’s groups (view)',
  'records.write': 'Create, change and delete records of collections granted for edit',
  'records.import': 'Import records into collections granted for edit',
  'records.export': 'Export collections granted for view (audited)',
  'dashboards.read': 'View dashboards granted to one of one’s groups',
  'dashboards.write': 'Change the widgets of dashboards granted for edit',
} as const

export type Permission = keyof typeof PERMISSIONS

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[]

const ADMIN: readonly Permission[] = [
  'tenant.security.manage',
  'users.read',
  'users.invite',
  'users.manage',
  'users.mfa.reset',
  'sessions.manage',
  'groups.read',
  'groups.manage',
  'api_keys.create',
  'api_keys.manage',
  'audit.read',
  'vault.manage',
  'access_reviews.read',
  'access_reviews.manage',
  'data.manage',
  'records.read',
  'records.write',
  'records.import',
  'records.export',
  'dashboards.read',
  'dashboards.write',
]

/** Least privilege: each role holds only what its job needs. */
export const ROLE_PERMISSIONS: Readonly<Record<UserRole, ReadonlySet<Permission>>> = {
  owner: new Set<Permission>([...ADMIN, 'owners.manage']),
  admin: new Set<Permission>(ADMIN),
  member: new Set<Permission>([
    'api_keys.create',
    'records.read',
    'records.write',
    'records.import',
    'dashboards.read',
    'dashboards.write',
  ]),
  viewer: new Set<Permission>(['records.read', 'dashboards.read']),
  // Read-only oversight: the audit log, who has access, and the reviews of it.
  auditor: new Set<Permission>([
    'users.read',
    'groups.read',
    'audit.read',
    'access_reviews.read',
    'api_keys.create',
  ]),
}

export const ROLES = Object.keys(ROLE_PERMISSIONS) as UserRole[]

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSIONS, value)
}

export function permissionsOfRole(role: UserRole): ReadonlySet<Permission> {
  return ROLE_PERMISSIONS[role]
}

/** Who holds a permission: anything carrying the permissions it was granted. */
export interface PermissionHolder {
  permissions: ReadonlySet<Permission>
}

export function can(holder: PermissionHolder, permission: Permission): boolean {
  return holder.permissions.has(permission)
}

/** The one refusal for a missing permission: 403 AUTH_PERMISSION_DENIED, naming it. */
export function assertCan(holder: PermissionHolder, permission: Permission): void {
  if (!can(holder, permission)) {
    throw HttpErrors.AUTH_PERMISSION_DENIED(undefined, { permission })
  }
}
