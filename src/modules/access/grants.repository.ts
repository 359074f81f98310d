// AUTHZ-2: grant rows, and the two access queries other modules rely on. Every query names the
// tenant, and the membership join repeats it, so a grant reaches only members of its own
// organisation's group.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { GroupGrantRow } from './groups.table.ts'

export interface GrantKey {
  tenant_id: string
  group_id: string
  resource_type: string
  resource_id: string
  permission: string
}

export async function listGrants(
  trx: Trx,
  tenantId: string,
  groupId: string,
): Promise<GroupGrantRow[]> {
  return trx
    .selectFrom('group_grants')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('group_id', '=', groupId)
    .orderBy('resource_type')
    .orderBy('resource_id')
    .orderBy('permission')
    .execute()
}

/** A grant on one resource, with the name of the group holding it. */
export type GrantWithGroupRow = GroupGrantRow & { group_name: string }

/**
 * Every grant on one resource, with its group's name, by group name. Bounded by the tenant's
 * groups times the type's permissions; the join repeats the tenant like every query here.
 */
export async function listGrantsOnResource(
  trx: Trx,
  tenantId: string,
  resourceType: string,
  resourceId: string,
): Promise<GrantWithGroupRow[]> {
  return trx
    .selectFrom('group_grants as r')
    .innerJoin('groups as g', (join) =>
      join.onRef('g.tenant_id', '=', 'r.tenant_id').onRef('g.id', '=', 'r.group_id'),
    )
    .selectAll('r')
    .select('g.name as group_name')
    .where('r.tenant_id', '=', tenantId)
    .where('g.tenant_id', '=', tenantId)
    .where('r.resource_type', '=', resourceType)
    .where('r.resource_id', '=', resourceId)
    .orderBy('g.name_normalized')
    .orderBy('r.permission')
    .execute()
}

export async function countGrants(trx: Trx, tenantId: string, groupId: string): Promise<number> {
  const row = await trx
    .selectFrom('group_grants')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('tenant_id', '=', tenantId)
    .where('group_id', '=', groupId)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function findGrantByKey(trx: Trx, key: GrantKey): Promise<GroupGrantRow | undefined> {
  return trx
    .selectFrom('group_grants')
    .selectAll()
    .where('tenant_id', '=', key.tenant_id)
    .where('group_id', '=', key.group_id)
    .where('resource_type', '=', key.resource_type)
    .where('resource_id', '=', key.resource_id)
    .where('permission', '=', key.permission)
    .executeTakeFirst()
}

export async function insertGrant(
  trx: Trx,
  row: GrantKey & { id: string; created_by: string | null },
): Promise<GroupGrantRow> {
  return trx.insertInto('group_grants').values(row).returningAll().executeTakeFirstOrThrow()
}

export async function deleteGrant(
  trx: Trx,
  tenantId: string,
  groupId: string,
  grantId: string,
): Promise<GroupGrantRow | undefined> {
  return trx
    .deleteFrom('group_grants')
    .where('tenant_id', '=', tenantId)
    .where('group_id', '=', groupId)
    .where('id', '=', grantId)
    .returningAll()
    .executeTakeFirst()
}

/** Removes every grant on one resource (when its module deletes it); returns them. */
export async function deleteGrantsOnResource(
  trx: Trx,
  tenantId: string,
  resourceType: string,
  resourceId: string,
): Promise<GroupGrantRow[]> {
  return trx
    .deleteFrom('group_grants')
    .where('tenant_id', '=', tenantId)
    .where('resource_type', '=', resourceType)
    .where('resource_id', '=', resourceId)
    .returningAll()
    .execute()
}

/** Whether any group of the user holds one of `permissions` on the resource. */
export async function userHoldsGrant(
  trx: Trx,
  tenantId: string,
  userId: string,
  resourceType: string,
  resourceId: string,
  permissions: readonly string[],
): Promise<boolean> {
  const row = await trx
    .selectFrom('group_grants as r')
    .innerJoin('group_members as m', (join) =>
      join.onRef('m.tenant_id', '=', 'r.tenant_id').onRef('m.group_id', '=', 'r.group_id'),
    )
    .select(sql<number>`1`.as('one'))
    .where('r.tenant_id', '=', tenantId)
    .where('m.tenant_id', '=', tenantId)
    .where('m.user_id', '=', userId)
    .where('r.resource_type', '=', resourceType)
    .where('r.resource_id', '=', resourceId)
    .where('r.permission', 'in', [...permissions])
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

/** The ids of every resource of the type on which a group of the user holds one of them. */
export async function resourceIdsGrantedTo(
  trx: Trx,
  tenantId: string,
  userId: string,
  resourceType: string,
  permissions: readonly string[],
): Promise<string[]> {
  const rows = await trx
    .selectFrom('group_grants as r')
    .innerJoin('group_members as m', (join) =>
      join.onRef('m.tenant_id', '=', 'r.tenant_id').onRef('m.group_id', '=', 'r.group_id'),
    )
    .select('r.resource_id')
    .distinct()
    .where('r.tenant_id', '=', tenantId)
    .where('m.tenant_id', '=', tenantId)
    .where('m.user_id', '=', userId)
    .where('r.resource_type', '=', resourceType)
    .where('r.permission', 'in', [...permissions])
    .orderBy('r.resource_id')
    .execute()
  return rows.map((r) => r.resource_id)
}
