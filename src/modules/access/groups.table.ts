import type { Generated, Insertable, Selectable } from 'kysely'

/** AUTHZ-2: a named set of users; access comes only from its grants. */
export interface GroupsTable {
  id: string
  tenant_id: string
  name: string
  /** Lower-cased, NFC-normalised name: unique per tenant. */
  name_normalized: string
  description: string | null
  created_by: string | null
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export interface GroupMembersTable {
  tenant_id: string
  group_id: string
  user_id: string
  added_by: string | null
  added_at: Generated<Date>
}

/** One grant: the group's members may do `permission` on one resource. */
export interface GroupGrantsTable {
  id: string
  tenant_id: string
  group_id: string
  /** `collection`, `dashboard`, ...: a type registered by the module that owns it. */
  resource_type: string
  resource_id: string
  /** The resource type's own permission names, e.g. `view`, `edit`. */
  permission: string
  created_by: string | null
  created_at: Generated<Date>
}

export type GroupRow = Selectable<GroupsTable>
export type NewGroupRow = Insertable<GroupsTable>
export type GroupMemberRow = Selectable<GroupMembersTable>
export type GroupGrantRow = Selectable<GroupGrantsTable>
