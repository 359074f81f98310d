// Shapes of the people-administration answers (users, invitations, groups, grants, roles), as the
// OpenAPI document at /docs/json describes them; only the fields these screens read.

export type Role = 'owner' | 'admin' | 'member' | 'viewer' | 'auditor'

/** The roles in the order the API lists them (AUTHZ-1). */
export const ROLES: readonly Role[] = ['owner', 'admin', 'member', 'viewer', 'auditor']

export interface UserSummary {
  id: string
  email: string
  role: Role
  status: 'active' | 'deactivated'
  createdAt: string
  lastSignInAt: string | null
  emailVerified: boolean
}

export interface Invitation {
  id: string
  email: string
  role: Role
  createdAt: string
  sentAt: string
  expiresAt: string
  expired: boolean
}

export interface GroupMember {
  userId: string
  /** Null for callers without users.read. */
  email: string | null
  addedAt: string
}

export interface RoleCatalogue {
  roles: { name: string; permissions: string[] }[]
  permissions: { name: string; description: string }[]
}
