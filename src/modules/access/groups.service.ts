// AUTHZ-2: groups and their members. A group is a named set of users of one organisation; what
// its members may reach comes only from its grants (grants.service.ts). Holders of groups.read
// list groups and members; holders of groups.manage create, rename and delete groups and change
// members. Nothing is cached: a membership removed is gone for the very next access check.
// LOG-1: every change writes its event in the same transaction, with ids and field names only.
import { randomUUID } from 'node:crypto'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { type Trx, withTenant } from '../../db/tenant.ts'
import { eventOrigin, recordEvent } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import { actorOf, type Principal, type SessionPrincipal } from '../identity/sessions.service.ts'
import { listGrants } from './grants.repository.ts'
import { GroupErrors } from './groups.errors.ts'
import {
  countGroups,
  deleteGroup,
  deleteMember,
  findGroup,
  findGroupWithCounts,
  type GroupWithCounts,
  insertGroup,
  insertMember,
  listGroups,
  listGroupsOfUser,
  listMembers,
  lockGroupCreation,
  lockUserOfTenant,
  memberUserIds,
  updateGroup,
} from './groups.repository.ts'
import type { GroupMemberRow } from './groups.table.ts'
import { assertCan, can } from './permissions.ts'

/** Enough for any team structure; keeps every list a single, bounded answer. */
export const MAX_GROUPS_PER_TENANT = 500
export const MAX_NAME_LENGTH = 100
export const MAX_DESCRIPTION_LENGTH = 500

// Control characters, lone surrogates (they cannot be stored as UTF-8), line and paragraph
// separators, and the direction marks and overrides that make a name display as another.
const NAME_FORBIDDEN = /[\p{Cc}\p{Cs}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u
// A description may also span lines and hold tabs (taken out before the same test).
const DESCRIPTION_WHITESPACE = /[\t\n\r]/g
const DESCRIPTION_FORBIDDEN = /[\p{Cc}\p{Cs}\u202a-\u202e\u2066-\u2069]/u

export interface Group {
  id: string
  name: string
  description: string | null
  memberCount: number
  grantCount: number
  createdBy: string | null
  createdAt: string
  updatedAt: string
}

export interface GroupSummary {
  id: string
  name: string
  description: string | null
}

export interface GroupMember {
  userId: string
  /** Only for callers who may read the organisation's users (users.read); null otherwise. */
  email: string | null
  addedBy: string | null
  addedAt: string
}

export interface GroupChanges {
  name?: string | undefined
  description?: string | null | undefined
}

function toGroup(row: GroupWithCounts): Group {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    memberCount: row.member_count,
    grantCount: row.grant_count,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

function toMember(row: GroupMemberRow, email: string | null): GroupMember {
  return {
    userId: row.user_id,
    email,
    addedBy: row.added_by,
    addedAt: row.added_at.toISOString(),
  }
}

/** The stored form of a name: trimmed and NFC. Throws unless it has 1..100 allowed characters. */
function checkGroupName(input: string): string {
  const name = input.trim().normalize('NFC')
  // NFC can lengthen a name the schema passed (some characters decompose), so count again.
  const length = [...name].length
  if (length < 1 || length > MAX_NAME_LENGTH || NAME_FORBIDDEN.test(name)) {
    throw GroupErrors.ACCESS_GROUP_NAME_INVALID()
  }
  return name
}

/**
 * The form names are compared in: NFC, then upper and lower case, so that letter case never
 * makes two names differ (`Straße` and `STRASSE` included).
 */
export function groupNameKey(name: string): string {
  return name.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC')
}

/** The stored form of a description (trimmed, NFC; empty means none). */
function checkGroupDescription(input: string | null | undefined): string | null {
  if (input === null || input === undefined) return null
  const description = input.trim().normalize('NFC')
  if (
    [...description].length > MAX_DESCRIPTION_LENGTH ||
    DESCRIPTION_FORBIDDEN.test(description.replace(DESCRIPTION_WHITESPACE, ''))
  ) {
    throw GroupErrors.ACCESS_GROUP_DESCRIPTION_INVALID()
  }
  return description === '' ? null : description
}

function groupEvent(
  action: string,
  principal: Principal,
  target: NonNullable<AuditEvent['target']>,
  meta: RequestMeta,
  extra: Pick<AuditEvent, 'fields' | 'reason' | 'parent'> = {},
): AuditEvent {
  return {
    category: 'iam',
    action,
    outcome: 'success',
    actor: actorOf(principal),
    target,
    ...extra,
    ...eventOrigin(meta),
  }
}

async function groupOrThrow(trx: Trx, tenantId: string, groupId: string, lock = false) {
  const group = await findGroup(trx, tenantId, groupId, lock)
  if (!group) throw GroupErrors.ACCESS_GROUP_NOT_FOUND()
  return group
}

function nameTaken(err: unknown): unknown {
  // Parallel creates or renames to one name: the unique index lets exactly one commit.
  return isUniqueViolation(err, 'groups_name_key') ? GroupErrors.ACCESS_GROUP_NAME_TAKEN() : err
}

export async function listAllGroups(ctx: ServiceContext, principal: Principal): Promise<Group[]> {
  assertCan(principal, 'groups.read')
  const { tenantId } = principal
  const rows = await withTenant(ctx.db, tenantId, (trx) => listGroups(trx, tenantId))
  return rows.map(toGroup)
}

export async function getGroup(
  ctx: ServiceContext,
  principal: Principal,
  groupId: string,
): Promise<Group> {
  assertCan(principal, 'groups.read')
  const { tenantId } = principal
  const row = await withTenant(ctx.db, tenantId, (trx) =>
    findGroupWithCounts(trx, tenantId, groupId),
  )
  if (!row) throw GroupErrors.ACCESS_GROUP_NOT_FOUND()
  return toGroup(row)
}

export async function createGroup(
  ctx: ServiceContext,
  principal: Principal,
  input: { name: string; description?: string | null | undefined },
  meta: RequestMeta,
): Promise<Group> {
  assertCan(principal, 'groups.manage')
  const name = checkGroupName(input.name)
  const description = checkGroupDescription(input.description)
  const { tenantId } = principal
  try {
    return await withTenant(ctx.db, tenantId, async (trx) => {
      // The cap is counted under a per-organisation lock: parallel creates cannot pass it.
      await lockGroupCreation(trx, tenantId)
      if ((await countGroups(trx, tenantId)) >= MAX_GROUPS_PER_TENANT) {
        throw GroupErrors.ACCESS_GROUP_LIMIT_REACHED(undefined, { limit: MAX_GROUPS_PER_TENANT })
      }
      const row = await insertGroup(trx, {
        id: randomUUID(),
        tenant_id: tenantId,
        name,
        name_normalized: groupNameKey(name),
        description,
        created_by: principal.userId,
      })
      const fields = description === null ? ['name'] : ['name', 'description']
      await recordEvent(
        trx,
        tenantId,
        groupEvent('group.create', principal, { type: 'group', id: row.id }, meta, { fields }),
      )
      return toGroup({ ...row, member_count: 0, grant_count: 0 })
    })
  } catch (err) {
    throw nameTaken(err)
  }
}

export async function changeGroup(
  ctx: ServiceContext,
  principal: Principal,
  groupId: string,
  changes: GroupChanges,
  meta: RequestMeta,
): Promise<Group> {
  assertCan(principal, 'groups.manage')
  const name = changes.name === undefined ? undefined : checkGroupName(changes.name)
  const description =
    changes.description === undefined ? undefined : checkGroupDescription(changes.description)
  const { tenantId } = principal
  try {
    return await withTenant(ctx.db, tenantId, async (trx) => {
      const group = await groupOrThrow(trx, tenantId, groupId, true)
      const set: { name?: string; name_normalized?: string; description?: string | null } = {}
      if (name !== undefined && name !== group.name) {
        set.name = name
        set.name_normalized = groupNameKey(name)
      }
      if (description !== undefined && description !== group.description) {
        set.description = description
      }
      const fields = Object.keys(set).filter((f) => f !== 'name_normalized')
      // Saving what is already there changes nothing and records nothing.
      if (fields.length > 0) {
        await updateGroup(trx, tenantId, groupId, set)
        await recordEvent(
          trx,
          tenantId,
          groupEvent('group.update', principal, { type: 'group', id: groupId }, meta, { fields }),
        )
      }
      const row = await findGroupWithCounts(trx, tenantId, groupId)
      if (!row) throw GroupErrors.ACCESS_GROUP_NOT_FOUND()
      return toGroup(row)
    })
  } catch (err) {
    throw nameTaken(err)
  }
}

/**
 * Deletes the group with its members and grants. Each membership and grant that goes is
 * recorded too (reason group_deleted), so the log shows every user and resource that lost access.
 */
export async function removeGroup(
  ctx: ServiceContext,
  principal: Principal,
  groupId: string,
  meta: RequestMeta,
): Promise<void> {
  assertCan(principal, 'groups.manage')
  const { tenantId } = principal
  await withTenant(ctx.db, tenantId, async (trx) => {
    await groupOrThrow(trx, tenantId, groupId, true)
    const userIds = await memberUserIds(trx, tenantId, groupId)
    const grants = await listGrants(trx, tenantId, groupId)
    await deleteGroup(trx, tenantId, groupId)
    await recordEvent(
      trx,
      tenantId,
      groupEvent('group.delete', principal, { type: 'group', id: groupId }, meta),
    )
    const reason = 'group_deleted'
    const parent = { type: 'group', id: groupId }
    for (const userId of userIds) {
      const target = { type: 'user', id: userId }
      await recordEvent(
        trx,
        tenantId,
        groupEvent('group.member_remove', principal, target, meta, { reason, parent }),
      )
    }
    for (const grant of grants) {
      const target = { type: grant.resource_type, id: grant.resource_id }
      await recordEvent(
        trx,
        tenantId,
        groupEvent('group.grant_remove', principal, target, meta, { reason, parent }),
      )
    }
  })
}

export async function listGroupMembers(
  ctx: ServiceContext,
  principal: Principal,
  groupId: string,
): Promise<GroupMember[]> {
  assertCan(principal, 'groups.read')
  // AUTHZ-1: addresses are the users list's to show; groups.read alone gives ids.
  const showEmail = can(principal, 'users.read')
  const { tenantId } = principal
  const rows = await withTenant(ctx.db, tenantId, async (trx) => {
    await groupOrThrow(trx, tenantId, groupId)
    return listMembers(trx, tenantId, groupId)
  })
  return rows.map((row) => toMember(row, showEmail ? row.email : null))
}

/** Adds a user of the organisation to the group; adding a member again changes nothing. */
export async function addGroupMember(
  ctx: ServiceContext,
  principal: Principal,
  groupId: string,
  userId: string,
  meta: RequestMeta,
): Promise<{ member: GroupMember; created: boolean }> {
  assertCan(principal, 'groups.manage')
  const showEmail = can(principal, 'users.read')
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    await groupOrThrow(trx, tenantId, groupId, true)
    // AUTHZ-5: another organisation's user is not found, exactly like one that never existed.
    const user = await lockUserOfTenant(trx, tenantId, userId)
    if (!user) throw GroupErrors.ACCESS_GROUP_USER_NOT_FOUND()
    const { member, created } = await insertMember(trx, {
      tenant_id: tenantId,
      group_id: groupId,
      user_id: userId,
      added_by: principal.userId,
    })
    if (created) {
      await recordEvent(
        trx,
        tenantId,
        groupEvent('group.member_add', principal, { type: 'user', id: userId }, meta, {
          parent: { type: 'group', id: groupId },
        }),
      )
    }
    return { member: toMember(member, showEmail ? user.email : null), created }
  })
}

export async function removeGroupMember(
  ctx: ServiceContext,
  principal: Principal,
  groupId: string,
  userId: string,
  meta: RequestMeta,
): Promise<void> {
  assertCan(principal, 'groups.manage')
  const { tenantId } = principal
  await withTenant(ctx.db, tenantId, async (trx) => {
    await groupOrThrow(trx, tenantId, groupId, true)
    if (!(await deleteMember(trx, tenantId, groupId, userId))) {
      throw GroupErrors.ACCESS_GROUP_MEMBER_NOT_FOUND()
    }
    await recordEvent(
      trx,
      tenantId,
      groupEvent('group.member_remove', principal, { type: 'user', id: userId }, meta, {
        parent: { type: 'group', id: groupId },
      }),
    )
  })
}

/** The signed-in user's own groups: no permission needed to know which groups one is in. */
export async function listMyGroups(
  ctx: ServiceContext,
  principal: SessionPrincipal,
): Promise<GroupSummary[]> {
  const { tenantId, userId } = principal
  const rows = await withTenant(ctx.db, tenantId, (trx) => listGroupsOfUser(trx, tenantId, userId))
  return rows.map((row) => ({ id: row.id, name: row.name, description: row.description }))
}
