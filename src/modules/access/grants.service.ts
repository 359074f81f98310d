// AUTHZ-2: grants, and the access API of every module that owns resources. A grant lets the
// members of one group do one permission on one resource; a user may do what any of their groups
// was granted, and nothing else: no group, no access (need to know). Roles give no grants: an
// admin manages grants but reaches a resource through them like anyone (the owning module may let
// its own `*.manage` holders past; these functions never do). The checks read the database each
// time, so a removed member, grant or group stops access at the very next check.
// LOG-1: every grant added or removed is recorded with ids only.
import { randomUUID } from 'node:crypto'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { isUuid, type Trx, withTenant } from '../../db/tenant.ts'
import type { AppError } from '../../http/errors.ts'
import { eventOrigin, recordEvent } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import { actorOf, type Principal } from '../identity/sessions.service.ts'
import {
  countGrants,
  deleteGrant,
  deleteGrantsOnResource,
  findGrantByKey,
  insertGrant,
  listGrants,
  listGrantsOnResource,
  resourceIdsGrantedTo,
  userHoldsGrant,
} from './grants.repository.ts'
import { GroupErrors } from './groups.errors.ts'
import { findGroup } from './groups.repository.ts'
import type { GroupGrantRow } from './groups.table.ts'
import { assertCan } from './permissions.ts'
import { findResourceType, type ResourceType, registeredResourceTypes } from './resource-types.ts'

/** Keeps a group's grant list one bounded answer. */
export const MAX_GRANTS_PER_GROUP = 1000

export interface Grant {
  id: string
  groupId: string
  resourceType: string
  resourceId: string
  permission: string
  createdBy: string | null
  createdAt: string
}

export interface GrantInput {
  resourceType: string
  resourceId: string
  permission: string
}

function toGrant(row: GroupGrantRow): Grant {
  return {
    id: row.id,
    groupId: row.group_id,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    permission: row.permission,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  }
}

function grantEvent(
  action: 'group.grant_add' | 'group.grant_remove',
  actor: AuditEvent['actor'],
  grant: Pick<GroupGrantRow, 'resource_type' | 'resource_id' | 'group_id'>,
  meta: RequestMeta | undefined,
  reason?: string,
): AuditEvent {
  return {
    category: 'iam',
    action,
    outcome: 'success',
    actor,
    // The resource whose access changed; resource type names are valid audit target types.
    target: { type: grant.resource_type, id: grant.resource_id },
    parent: { type: 'group', id: grant.group_id },
    ...(reason ? { reason } : {}),
    ...(meta ? eventOrigin(meta) : {}),
  }
}

async function lockedGroupOrThrow(trx: Trx, tenantId: string, groupId: string): Promise<void> {
  if (!(await findGroup(trx, tenantId, groupId, true))) throw GroupErrors.ACCESS_GROUP_NOT_FOUND()
}

export async function listGroupGrants(
  ctx: ServiceContext,
  principal: Principal,
  groupId: string,
): Promise<Grant[]> {
  assertCan(principal, 'groups.read')
  const { tenantId } = principal
  const rows = await withTenant(ctx.db, tenantId, async (trx) => {
    if (!(await findGroup(trx, tenantId, groupId))) throw GroupErrors.ACCESS_GROUP_NOT_FOUND()
    return listGrants(trx, tenantId, groupId)
  })
  return rows.map(toGrant)
}

/** A grant on one resource, named by the group that holds it. */
export interface ResourceGrant extends Grant {
  groupName: string
}

/**
 * Every group's grants on one resource (for a resource's own sharing screen), needing groups.read
 * and nothing more: a groups.read holder can already list every group's grants, so this answers
 * exactly the union of those lists filtered to one resource, without one request per group.
 * Whether the resource exists is deliberately not checked: an id that does not exist, belongs to
 * another organisation (AUTHZ-5: tenant id on the query, RLS beneath) or has no grants all answer
 * an empty list, so the route confirms no resource to anyone. An unregistered type is 422.
 */
export async function listResourceGrants(
  ctx: ServiceContext,
  principal: Principal,
  resourceType: string,
  resourceId: string,
): Promise<ResourceGrant[]> {
  assertCan(principal, 'groups.read')
  const type = findResourceType(resourceType)
  if (!type) {
    throw GroupErrors.ACCESS_RESOURCE_TYPE_UNKNOWN(undefined, {
      registered: registeredResourceTypes().map((t) => t.type),
    })
  }
  const { tenantId } = principal
  const rows = await withTenant(ctx.db, tenantId, (trx) =>
    listGrantsOnResource(trx, tenantId, type.type, resourceId),
  )
  return rows.map((row) => ({ ...toGrant(row), groupName: row.group_name }))
}

/**
 * Grants the group's members `permission` on one resource. The type must be registered and the
 * permission its own (422), the resource must exist in the caller's organisation (404). Granting
 * what the group already holds is idempotent: the existing grant comes back, `created` false.
 */
export async function addGroupGrant(
  ctx: ServiceContext,
  principal: Principal,
  groupId: string,
  input: GrantInput,
  meta: RequestMeta,
): Promise<{ grant: Grant; created: boolean }> {
  assertCan(principal, 'groups.manage')
  const type = findResourceType(input.resourceType)
  if (!type) {
    throw GroupErrors.ACCESS_RESOURCE_TYPE_UNKNOWN(undefined, {
      registered: registeredResourceTypes().map((t) => t.type),
    })
  }
  if (!type.has(input.permission)) {
    throw GroupErrors.ACCESS_GRANT_PERMISSION_UNKNOWN(undefined, { permissions: type.permissions })
  }
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    // The group row stays locked to the end: grants are counted and added one at a time, and
    // never to a group being deleted.
    await lockedGroupOrThrow(trx, tenantId, groupId)
    // AUTHZ-5: checked in the caller's own tenant transaction; another organisation's resource
    // is not found, exactly like one that never existed.
    if (!(await type.exists(trx, tenantId, input.resourceId))) {
      throw GroupErrors.ACCESS_RESOURCE_NOT_FOUND()
    }
    const key = {
      tenant_id: tenantId,
      group_id: groupId,
      resource_type: type.type,
      resource_id: input.resourceId,
      permission: input.permission,
    }
    const existing = await findGrantByKey(trx, key)
    if (existing) return { grant: toGrant(existing), created: false }
    if ((await countGrants(trx, tenantId, groupId)) >= MAX_GRANTS_PER_GROUP) {
      throw GroupErrors.ACCESS_GRANT_LIMIT_REACHED(undefined, { limit: MAX_GRANTS_PER_GROUP })
    }
    const row = await insertGrant(trx, { ...key, id: randomUUID(), created_by: principal.userId })
    await recordEvent(trx, tenantId, grantEvent('group.grant_add', actorOf(principal), row, meta))
    return { grant: toGrant(row), created: true }
  })
}

export async function removeGroupGrant(
  ctx: ServiceContext,
  principal: Principal,
  groupId: string,
  grantId: string,
  meta: RequestMeta,
): Promise<void> {
  assertCan(principal, 'groups.manage')
  const { tenantId } = principal
  await withTenant(ctx.db, tenantId, async (trx) => {
    await lockedGroupOrThrow(trx, tenantId, groupId)
    const removed = await deleteGrant(trx, tenantId, groupId, grantId)
    if (!removed) throw GroupErrors.ACCESS_GRANT_NOT_FOUND()
    await recordEvent(
      trx,
      tenantId,
      grantEvent('group.grant_remove', actorOf(principal), removed, meta),
    )
  })
}

// ---- The access API for modules that own resources. Each runs inside the caller's withTenant
// transaction. An unregistered type or a permission the type lacks is a programming error and
// throws; a malformed id simply has no grant.

function registered(resourceType: string, permission: string): ResourceType {
  const type = findResourceType(resourceType)
  if (!type) throw new TypeError(`resource type ${resourceType} is not registered`)
  if (!type.has(permission)) {
    throw new TypeError(`resource type ${resourceType} has no permission ${permission}`)
  }
  return type
}

/** Whether a group of the user grants `permission` (or one implying it) on the resource. */
export async function hasGrant(
  trx: Trx,
  tenantId: string,
  userId: string,
  resourceType: string,
  resourceId: string,
  permission: string,
): Promise<boolean> {
  const type = registered(resourceType, permission)
  if (!isUuid(userId) || !isUuid(resourceId)) return false
  return userHoldsGrant(trx, tenantId, userId, type.type, resourceId, type.grantedBy(permission))
}

/** The ids of every resource of the type the user may `permission`, for filtering a list. */
export async function grantedResourceIds(
  trx: Trx,
  tenantId: string,
  userId: string,
  resourceType: string,
  permission: string,
): Promise<string[]> {
  const type = registered(resourceType, permission)
  if (!isUuid(userId)) return []
  return resourceIdsGrantedTo(trx, tenantId, userId, type.type, type.grantedBy(permission))
}

/**
 * Throws a 404 unless the user may `permission` the resource: need to know means a resource one
 * may not reach is not even confirmed to exist. Pass the module's own not-found error so that a
 * missing grant and a missing resource answer exactly alike.
 */
export async function assertGranted(
  trx: Trx,
  tenantId: string,
  userId: string,
  resourceType: string,
  resourceId: string,
  permission: string,
  notFound: () => AppError = () => GroupErrors.ACCESS_RESOURCE_NOT_FOUND(),
): Promise<void> {
  if (!(await hasGrant(trx, tenantId, userId, resourceType, resourceId, permission))) {
    throw notFound()
  }
}

/**
 * Removes every grant on a resource; its module calls this in the transaction that deletes the
 * resource, so no grant outlives what it points at. Each removal is recorded
 * (reason resource_deleted). Returns how many there were.
 */
export async function removeGrantsOnResource(
  trx: Trx,
  tenantId: string,
  resourceType: string,
  resourceId: string,
  actor: AuditEvent['actor'],
  meta?: RequestMeta,
): Promise<number> {
  if (!isUuid(resourceId)) return 0
  const removed = await deleteGrantsOnResource(trx, tenantId, resourceType, resourceId)
  for (const grant of removed) {
    await recordEvent(
      trx,
      tenantId,
      grantEvent('group.grant_remove', actor, grant, meta, 'resource_deleted'),
    )
  }
  return removed.length
}
