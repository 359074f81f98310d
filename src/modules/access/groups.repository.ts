// AUTHZ-2: group and membership rows. Every query names the tenant (row-level security is the
// second lock, not the only one).
import { type ExpressionBuilder, sql } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Trx } from '../../db/tenant.ts'
import type { GroupMemberRow, GroupRow, NewGroupRow } from './groups.table.ts'

export interface GroupWithCounts extends GroupRow {
  member_count: number
  grant_count: number
}

export interface MemberWithEmail extends GroupMemberRow {
  email: string
}

type GroupScope = ExpressionBuilder<Database & { g: Database['groups'] }, 'g'>

function counts(eb: GroupScope) {
  return [
    eb
      .selectFrom('group_members as m')
      .select(sql<number>`count(*)::int`.as('n'))
      .whereRef('m.tenant_id', '=', 'g.tenant_id')
      .whereRef('m.group_id', '=', 'g.id')
      .as('member_count'),
    eb
      .selectFrom('group_grants as r')
      .select(sql<number>`count(*)::int`.as('n'))
      .whereRef('r.tenant_id', '=', 'g.tenant_id')
      .whereRef('r.group_id', '=', 'g.id')
      .as('grant_count'),
  ]
}

function withCounts(row: GroupRow & { member_count: unknown; grant_count: unknown }) {
  return { ...row, member_count: Number(row.member_count), grant_count: Number(row.grant_count) }
}

/**
 * Makes the organisation's group creations take turns until the transaction ends, so the count
 * read before an insert is still true when it commits (the cap holds under parallel requests).
 */
export async function lockGroupCreation(trx: Trx, tenantId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`groups/${tenantId}`}, 0))`.execute(trx)
}

export async function countGroups(trx: Trx, tenantId: string): Promise<number> {
  const row = await trx
    .selectFrom('groups')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function insertGroup(trx: Trx, row: NewGroupRow): Promise<GroupRow> {
  return trx.insertInto('groups').values(row).returningAll().executeTakeFirstOrThrow()
}

export async function listGroups(trx: Trx, tenantId: string): Promise<GroupWithCounts[]> {
  const rows = await trx
    .selectFrom('groups as g')
    .selectAll('g')
    .select(counts)
    .where('g.tenant_id', '=', tenantId)
    .orderBy('g.name_normalized')
    .orderBy('g.id')
    .execute()
  return rows.map(withCounts)
}

export async function findGroupWithCounts(
  trx: Trx,
  tenantId: string,
  groupId: string,
): Promise<GroupWithCounts | undefined> {
  const row = await trx
    .selectFrom('groups as g')
    .selectAll('g')
    .select(counts)
    .where('g.tenant_id', '=', tenantId)
    .where('g.id', '=', groupId)
    .executeTakeFirst()
  return row && withCounts(row)
}

/**
 * One group; `lock` holds its row until the transaction ends, so a member or grant is never
 * added to a group being deleted, and grant counts are read and raised one at a time.
 */
export async function findGroup(
  trx: Trx,
  tenantId: string,
  groupId: string,
  lock = false,
): Promise<GroupRow | undefined> {
  let query = trx
    .selectFrom('groups')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', groupId)
  if (lock) query = query.forUpdate()
  return query.executeTakeFirst()
}

export async function updateGroup(
  trx: Trx,
  tenantId: string,
  groupId: string,
  changes: { name?: string; name_normalized?: string; description?: string | null },
): Promise<void> {
  await trx
    .updateTable('groups')
    .set({ ...changes, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', groupId)
    .execute()
}

/** Deletes the group; its members and grants go with it (ON DELETE CASCADE). */
export async function deleteGroup(trx: Trx, tenantId: string, groupId: string): Promise<void> {
  await trx
    .deleteFrom('groups')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', groupId)
    .execute()
}

export async function listMembers(
  trx: Trx,
  tenantId: string,
  groupId: string,
): Promise<MemberWithEmail[]> {
  return trx
    .selectFrom('group_members as m')
    .innerJoin('users as u', (join) =>
      join.onRef('u.tenant_id', '=', 'm.tenant_id').onRef('u.id', '=', 'm.user_id'),
    )
    .selectAll('m')
    .select('u.email')
    .where('m.tenant_id', '=', tenantId)
    .where('m.group_id', '=', groupId)
    .orderBy('u.email_normalized')
    .execute()
}

export async function memberUserIds(
  trx: Trx,
  tenantId: string,
  groupId: string,
): Promise<string[]> {
  const rows = await trx
    .selectFrom('group_members')
    .select('user_id')
    .where('tenant_id', '=', tenantId)
    .where('group_id', '=', groupId)
    .orderBy('user_id')
    .execute()
  return rows.map((r) => r.user_id)
}

/**
 * The organisation's user with that id, if any, held against deletion until the transaction
 * ends (a membership is never added for a user being removed).
 */
export async function lockUserOfTenant(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<{ email: string } | undefined> {
  return trx
    .selectFrom('users')
    .select('email')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .forKeyShare()
    .executeTakeFirst()
}

/** Adds the member unless already there; returns the row and whether it is new. */
export async function insertMember(
  trx: Trx,
  row: { tenant_id: string; group_id: string; user_id: string; added_by: string | null },
): Promise<{ member: GroupMemberRow; created: boolean }> {
  const inserted = await trx
    .insertInto('group_members')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'group_id', 'user_id']).doNothing())
    .returningAll()
    .executeTakeFirst()
  if (inserted) return { member: inserted, created: true }
  const existing = await trx
    .selectFrom('group_members')
    .selectAll()
    .where('tenant_id', '=', row.tenant_id)
    .where('group_id', '=', row.group_id)
    .where('user_id', '=', row.user_id)
    .executeTakeFirstOrThrow()
  return { member: existing, created: false }
}

export async function deleteMember(
  trx: Trx,
  tenantId: string,
  groupId: string,
  userId: string,
): Promise<boolean> {
  const deleted = await trx
    .deleteFrom('group_members')
    .where('tenant_id', '=', tenantId)
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .returning('user_id')
    .executeTakeFirst()
  return deleted !== undefined
}

/** The groups a user belongs to, by name. */
export async function listGroupsOfUser(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<GroupRow[]> {
  return trx
    .selectFrom('groups as g')
    .innerJoin('group_members as m', (join) =>
      join.onRef('m.tenant_id', '=', 'g.tenant_id').onRef('m.group_id', '=', 'g.id'),
    )
    .selectAll('g')
    .where('m.tenant_id', '=', tenantId)
    .where('m.user_id', '=', userId)
    .orderBy('g.name_normalized')
    .orderBy('g.id')
    .execute()
}
