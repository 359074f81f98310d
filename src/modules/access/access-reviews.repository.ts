// AUTHZ-4: access reviews, their snapshots and decisions. Every query carries the tenant beneath
// row-level security (AUTHZ-5); the schedule's look-up across tenants goes through a gateway.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { UserRole } from '../identity/users.table.ts'
import type {
  AccessDecision,
  AccessReviewItemRow,
  AccessReviewRow,
  NewAccessReviewRow,
} from './access-reviews.table.ts'

/**
 * Locks the organisation's row until the transaction ends: opening, deciding and completing
 * reviews take turns per organisation, and with member changes (the same lock as
 * ownership.repository.ts). FOR NO KEY UPDATE, not FOR UPDATE: foreign-key checks of ordinary
 * inserts (sessions, keys) take KEY SHARE on this row and must not queue behind a snapshot.
 */
export async function lockTenantRow(trx: Trx, tenantId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('tenants')
    .select('id')
    .where('id', '=', tenantId)
    .forNoKeyUpdate()
    .executeTakeFirst()
  return row !== undefined
}

export async function findIntervalDays(trx: Trx, tenantId: string): Promise<number | undefined> {
  const row = await trx
    .selectFrom('access_review_settings')
    .select('interval_days')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst()
  return row?.interval_days
}

export async function saveIntervalDays(
  trx: Trx,
  tenantId: string,
  intervalDays: number,
  userId: string,
): Promise<void> {
  await trx
    .insertInto('access_review_settings')
    .values({ tenant_id: tenantId, interval_days: intervalDays, updated_by: userId })
    .onConflict((oc) =>
      oc.column('tenant_id').doUpdateSet({
        interval_days: intervalDays,
        updated_by: userId,
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute()
}

/** What the schedule decides on: when the organisation began, and its last review. */
export async function scheduleFacts(
  trx: Trx,
  tenantId: string,
): Promise<{ tenantCreatedAt: Date; tenantName: string; lastOpenedAt: Date | null } | undefined> {
  const tenant = await trx
    .selectFrom('tenants')
    .select(['created_at', 'name'])
    .where('id', '=', tenantId)
    .executeTakeFirst()
  if (!tenant) return undefined
  const last = await trx
    .selectFrom('access_reviews')
    .select((eb) => eb.fn.max('opened_at').as('opened_at'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst()
  return {
    tenantCreatedAt: tenant.created_at,
    tenantName: tenant.name,
    lastOpenedAt: last?.opened_at ?? null,
  }
}

export async function findOpenReview(
  trx: Trx,
  tenantId: string,
): Promise<AccessReviewRow | undefined> {
  return trx
    .selectFrom('access_reviews')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'open')
    .executeTakeFirst()
}

export async function insertReview(trx: Trx, row: NewAccessReviewRow): Promise<void> {
  await trx.insertInto('access_reviews').values(row).execute()
}

/** The instants a session must be younger than to count as live (as the device list has it). */
export interface Liveness {
  now: Date
  idleCutoff: Date
}

/**
 * Takes the snapshot in one statement, so every user is seen as of one instant: role, status,
 * groups, last sign-in, second factors, sessions and known devices. Returns how many users.
 */
export async function insertSnapshot(
  trx: Trx,
  tenantId: string,
  reviewId: string,
  live: Liveness,
): Promise<number> {
  const result = await sql`
    INSERT INTO access_review_items (tenant_id, review_id, user_id, email, role, user_status,
      user_created_at, group_names, last_sign_in_at, mfa_totp, mfa_passkeys, mfa_recovery_codes,
      live_sessions, last_seen_at, known_devices, live_api_keys)
    SELECT u.tenant_id, ${reviewId}::uuid, u.id, u.email, u.role, u.status, u.created_at,
      coalesce((SELECT array_agg(g.name ORDER BY g.name_normalized, g.id)
        FROM group_members m JOIN groups g ON g.tenant_id = m.tenant_id AND g.id = m.group_id
        WHERE m.tenant_id = u.tenant_id AND m.user_id = u.id), '{}'),
      u.last_sign_in_at,
      EXISTS (SELECT 1 FROM mfa_totp t WHERE t.tenant_id = u.tenant_id AND t.user_id = u.id
        AND t.confirmed_at IS NOT NULL),
      (SELECT count(*) FROM mfa_passkeys p WHERE p.tenant_id = u.tenant_id AND p.user_id = u.id)::int,
      (SELECT count(*) FROM mfa_recovery_codes c WHERE c.tenant_id = u.tenant_id
        AND c.user_id = u.id AND c.used_at IS NULL)::int,
      (SELECT count(*) FROM sessions s WHERE s.tenant_id = u.tenant_id AND s.user_id = u.id
        AND s.revoked_at IS NULL AND s.expires_at > ${live.now}
        AND s.last_seen_at > ${live.idleCutoff})::int,
      (SELECT max(s.last_seen_at) FROM sessions s WHERE s.tenant_id = u.tenant_id
        AND s.user_id = u.id),
      (SELECT count(*) FROM known_devices k WHERE k.tenant_id = u.tenant_id AND k.user_id = u.id)::int,
      (SELECT count(*) FROM api_keys a WHERE a.tenant_id = u.tenant_id AND a.user_id = u.id
        AND a.revoked_at IS NULL AND a.expires_at > ${live.now})::int
    FROM users u WHERE u.tenant_id = ${tenantId}::uuid`.execute(trx)
  const count = Number(result.numAffectedRows ?? 0n)
  await trx
    .updateTable('access_reviews')
    .set({ item_count: count })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', reviewId)
    .execute()
  return count
}

export async function findReview(
  trx: Trx,
  tenantId: string,
  reviewId: string,
  options: { lock?: boolean } = {},
): Promise<AccessReviewRow | undefined> {
  return trx
    .selectFrom('access_reviews')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', reviewId)
    .$if(options.lock === true, (qb) => qb.forUpdate())
    .executeTakeFirst()
}

/** The newest reviews first. */
export async function listReviews(
  trx: Trx,
  tenantId: string,
  limit: number,
): Promise<AccessReviewRow[]> {
  return trx
    .selectFrom('access_reviews')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('opened_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute()
}

export async function listItems(
  trx: Trx,
  tenantId: string,
  reviewId: string,
): Promise<AccessReviewItemRow[]> {
  return trx
    .selectFrom('access_review_items')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('review_id', '=', reviewId)
    .orderBy('email')
    .orderBy('user_id')
    .execute()
}

export async function findItem(
  trx: Trx,
  tenantId: string,
  reviewId: string,
  userId: string,
): Promise<AccessReviewItemRow | undefined> {
  return trx
    .selectFrom('access_review_items')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('review_id', '=', reviewId)
    .where('user_id', '=', userId)
    .forUpdate()
    .executeTakeFirst()
}

export async function saveDecision(
  trx: Trx,
  tenantId: string,
  reviewId: string,
  userId: string,
  decision: { decision: AccessDecision; by: string; at: Date; note: string | null },
): Promise<AccessReviewItemRow> {
  return trx
    .updateTable('access_review_items')
    .set({
      decision: decision.decision,
      decided_by: decision.by,
      decided_at: decision.at,
      note: decision.note,
    })
    .where('tenant_id', '=', tenantId)
    .where('review_id', '=', reviewId)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** Adds to the review's counts of kept and revoked users (a changed decision moves one). */
export async function addToCounts(
  trx: Trx,
  tenantId: string,
  reviewId: string,
  delta: { kept: number; revoked: number },
): Promise<AccessReviewRow> {
  return trx
    .updateTable('access_reviews')
    .set((eb) => ({
      kept_count: eb('kept_count', '+', delta.kept),
      revoked_count: eb('revoked_count', '+', delta.revoked),
    }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', reviewId)
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function markCompleted(
  trx: Trx,
  tenantId: string,
  reviewId: string,
  by: string,
  at: Date,
): Promise<AccessReviewRow> {
  return trx
    .updateTable('access_reviews')
    .set({ status: 'completed', completed_by: by, completed_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', reviewId)
    .where('status', '=', 'open')
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function markReminded(
  trx: Trx,
  tenantId: string,
  reviewId: string,
  at: Date,
): Promise<void> {
  await trx
    .updateTable('access_reviews')
    .set({ reminded_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', reviewId)
    .execute()
}

/** The user's current role and status, locked: a revocation and a role change take turns. */
export async function lockUser(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<{ role: UserRole; status: 'active' | 'deactivated' } | undefined> {
  return trx
    .selectFrom('users')
    .select(['role', 'status'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .forUpdate()
    .executeTakeFirst()
}

/** The addresses of the active users holding one of `roles`. */
export async function addressesOfRoles(
  trx: Trx,
  tenantId: string,
  roles: readonly UserRole[],
): Promise<string[]> {
  if (roles.length === 0) return []
  const rows = await trx
    .selectFrom('users')
    .select('email')
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .where('role', 'in', [...roles])
    .orderBy('email')
    .execute()
  return rows.map((r) => r.email)
}

/** Organisations with a review to open or an overdue one to remind of (ids only, gateway). */
export async function tenantsWithReviewWork(
  trx: Trx,
  maxDays: number,
  limit: number,
): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM rampart_access_reviews_due(${maxDays}::int, ${limit}::int) AS id`.execute(trx)
  return rows.map((r) => r.id)
}
