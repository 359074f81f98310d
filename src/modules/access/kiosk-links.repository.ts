// AUTHZ-3: kiosk link rows, their dashboards, and the per-client guess counters. The counters
// change only through single atomic statements, so parallel guesses cannot read one count and
// all get through.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { DashboardRow } from '../data/dashboards.table.ts'
import type { KioskLinkRow, NewKioskLinkRow } from './kiosk-links.table.ts'

export interface KioskLinkWithDashboards extends KioskLinkRow {
  dashboard_ids: string[]
}

export async function lockKioskCreation(trx: Trx, tenantId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`kiosk_links/${tenantId}`}, 0))`.execute(
    trx,
  )
}

export async function countLiveKioskLinks(trx: Trx, tenantId: string): Promise<number> {
  const row = await trx
    .selectFrom('kiosk_links')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('tenant_id', '=', tenantId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function insertKioskLink(
  trx: Trx,
  row: NewKioskLinkRow,
  dashboardIds: readonly string[],
): Promise<void> {
  await trx.insertInto('kiosk_links').values(row).execute()
  await trx
    .insertInto('kiosk_link_dashboards')
    .values(
      dashboardIds.map((dashboardId, position) => ({
        tenant_id: row.tenant_id,
        link_id: row.id,
        dashboard_id: dashboardId,
        position,
      })),
    )
    .execute()
}

function withDashboards(trx: Trx) {
  return trx
    .selectFrom('kiosk_links as k')
    .selectAll('k')
    .select(
      sql<string[]>`ARRAY(SELECT d.dashboard_id FROM kiosk_link_dashboards d
        WHERE d.tenant_id = k.tenant_id AND d.link_id = k.id ORDER BY d.position)`.as(
        'dashboard_ids',
      ),
    )
}

export async function findKioskLink(
  trx: Trx,
  tenantId: string,
  linkId: string,
): Promise<KioskLinkWithDashboards | undefined> {
  return withDashboards(trx)
    .where('k.tenant_id', '=', tenantId)
    .where('k.id', '=', linkId)
    .executeTakeFirst()
}

/** Newest first, revoked and expired ones included. */
export async function listKioskLinks(
  trx: Trx,
  tenantId: string,
  limit: number,
): Promise<KioskLinkWithDashboards[]> {
  return withDashboards(trx)
    .where('k.tenant_id', '=', tenantId)
    .orderBy('k.created_at', 'desc')
    .orderBy('k.id')
    .limit(limit)
    .execute()
}

/** Sets revoked_at unless already set; whether this call revoked it. */
export async function revokeKioskLink(
  trx: Trx,
  tenantId: string,
  linkId: string,
  revokedBy: string,
): Promise<boolean> {
  const result = await trx
    .updateTable('kiosk_links')
    .set({ revoked_at: sql<Date>`now()`, revoked_by: revokedBy })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', linkId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** The live (unrevoked, unexpired) link with this token hash. */
export async function findLiveKioskLinkByHash(
  trx: Trx,
  tenantId: string,
  tokenHash: string,
): Promise<KioskLinkRow | undefined> {
  return trx
    .selectFrom('kiosk_links')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .executeTakeFirst()
}

/** The link's dashboards that still exist, in the link's order. */
export async function kioskLinkDashboards(
  trx: Trx,
  tenantId: string,
  linkId: string,
): Promise<DashboardRow[]> {
  return trx
    .selectFrom('kiosk_link_dashboards as l')
    .innerJoin('dashboards as d', (join) =>
      join.onRef('d.tenant_id', '=', 'l.tenant_id').onRef('d.id', '=', 'l.dashboard_id'),
    )
    .selectAll('d')
    .where('l.tenant_id', '=', tenantId)
    .where('l.link_id', '=', linkId)
    .orderBy('l.position')
    .execute()
}

/** Marks the link viewed; a parallel view that already did within the minute wins. */
export async function touchKioskLink(trx: Trx, tenantId: string, linkId: string): Promise<void> {
  await sql`
    UPDATE kiosk_links SET last_viewed_at = now()
    WHERE tenant_id = ${tenantId} AND id = ${linkId}
      AND (last_viewed_at IS NULL OR last_viewed_at < now() - interval '1 minute')`.execute(trx)
}

// ---- AUTHZ-3: guess counters, per client (platform level, no tenant).

interface GuardState {
  /** Attempts counted in the current window, this one included. */
  failures: number
  windowStartedAt: Date
  blockedUntil: Date | null
}

/**
 * Counts one attempt before its token is looked at (a success gives it back), so parallel
 * attempts each get their own number. A window that has run out, or a block that has ended,
 * starts the count again.
 */
export async function reserveAttempt(
  trx: Trx,
  client: string,
  windowSeconds: number,
): Promise<GuardState> {
  const { rows } = await sql<{
    failures: number
    window_started_at: Date
    blocked_until: Date | null
  }>`
    INSERT INTO kiosk_guards AS g (client, failures, window_started_at)
    VALUES (${client}, 1, now())
    ON CONFLICT (client) DO UPDATE SET
      failures = CASE WHEN g.blocked_until <= now()
          OR (g.blocked_until IS NULL AND g.window_started_at <= now() - make_interval(secs => ${windowSeconds}::float8))
        THEN 1 ELSE g.failures + 1 END,
      window_started_at = CASE WHEN g.blocked_until <= now()
          OR (g.blocked_until IS NULL AND g.window_started_at <= now() - make_interval(secs => ${windowSeconds}::float8))
        THEN now() ELSE g.window_started_at END,
      blocked_until = CASE WHEN g.blocked_until <= now() THEN NULL ELSE g.blocked_until END
    RETURNING failures, window_started_at, blocked_until`.execute(trx)
  const row = rows[0]
  if (!row) throw new Error('kiosk guard reservation returned no row')
  return {
    failures: row.failures,
    windowStartedAt: row.window_started_at,
    blockedUntil: row.blocked_until,
  }
}

/**
 * Gives back the attempt of a successful view: the failures before it stay (a success does not
 * wipe them, or a valid link of one's own would reset the count between guesses). A counter
 * back at zero and not blocked is removed.
 */
export async function releaseAttempt(trx: Trx, client: string): Promise<void> {
  await sql`
    WITH gone AS (
      DELETE FROM kiosk_guards
      WHERE client = ${client} AND failures <= 1 AND blocked_until IS NULL
      RETURNING client
    )
    UPDATE kiosk_guards SET failures = failures - 1
    WHERE client = ${client} AND failures > 1`.execute(trx)
}

/** Blocks the client until now + seconds; true only for the call that set the block. */
export async function blockClient(trx: Trx, client: string, seconds: number): Promise<boolean> {
  const { rows } = await sql<{ client: string }>`
    UPDATE kiosk_guards SET blocked_until = now() + make_interval(secs => ${seconds}::float8)
    WHERE client = ${client} AND (blocked_until IS NULL OR blocked_until <= now())
    RETURNING client`.execute(trx)
  return rows.length > 0
}

/**
 * Removes counters whose window and block are long over, a bounded batch at a time, so the table
 * holds only clients that failed recently.
 */
export async function pruneGuards(trx: Trx, windowSeconds: number): Promise<void> {
  await sql`
    DELETE FROM kiosk_guards WHERE client IN (
      SELECT client FROM kiosk_guards
      WHERE window_started_at <= now() - make_interval(secs => ${windowSeconds}::float8)
        AND (blocked_until IS NULL OR blocked_until <= now())
      ORDER BY window_started_at LIMIT 100
    )`.execute(trx)
}
