// DATA-1, AUTHZ-2: dashboards. Holders of data.manage create and delete dashboards and reach all
// of them; everyone else reaches a dashboard only through a `dashboard` grant to one of their
// groups: `view` to see it and its results (dashboards.read), `edit` (which implies view) to
// change its widgets (dashboards.write). Seeing results needs only the dashboard's grant, not the
// collections' (sharing the figures is the point); aiming a widget at a collection needs that
// collection to be viewable by whoever saves it, so no editor can aim a widget at data they
// cannot see. Results are computed at each view, in the database, with small groups suppressed.
// LOG-1: every change is recorded with ids and the names of what changed.
import { randomUUID } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { isUuid, type Trx, withTenant } from '../../db/tenant.ts'
import { AppError } from '../../http/errors.ts'
import { UNSAFE_TEXT } from '../../http/schemas.ts'
import { removeGrantsOnResource } from '../access/grants.service.ts'
import { assertCan, can } from '../access/permissions.ts'
import { findResourceType, registerResourceType } from '../access/resource-types.ts'
import { recordEvent } from '../audit/audit.service.ts'
import { actorOf, type Principal } from '../identity/sessions.service.ts'
import { collectionForAccess } from './collections.service.ts'
import { DashboardErrors } from './dashboards.errors.ts'
import {
  type CollectionSchema,
  countDashboards,
  deleteDashboard,
  findDashboard,
  insertDashboard,
  listDashboards as listDashboardRows,
  liveCollectionSchemas,
  lockDashboardCreation,
  updateDashboard,
} from './dashboards.repository.ts'
import { type SuppressedFigures, suppressSmallGroups } from './dashboards.suppression.ts'
import type { DashboardRow } from './dashboards.table.ts'
import {
  type Aggregate,
  type Interval,
  MAX_TITLE_LENGTH,
  MAX_WIDGETS,
  type WidgetDefinition,
  type WidgetIssue,
  widgetIssue,
  widgetQuery,
} from './dashboards.widgets.ts'
import { changeEventsOf } from './events.ts'
import { mayReach, viewableIds } from './reach.ts'
import { aggregateWidget } from './widgets.repository.ts'

export const DASHBOARD_TYPE = 'dashboard'
export const MAX_DASHBOARDS_PER_TENANT = 500
export const MAX_NAME_LENGTH = 100
export const MAX_DESCRIPTION_LENGTH = 500
export const DEFAULT_REFRESH_SECONDS = 300

// AUTHZ-2: grants may name dashboards. Registered once however often this module is loaded.
if (!findResourceType(DASHBOARD_TYPE)) {
  registerResourceType({
    type: DASHBOARD_TYPE,
    permissions: ['view', 'edit'],
    implies: { edit: ['view'] },
    exists: async (trx, tenantId, id) => (await findDashboard(trx, tenantId, id)) !== undefined,
  })
}

const DESCRIPTION_WHITESPACE = /[\t\n\r]/g
const DESCRIPTION_FORBIDDEN = /[\p{Cc}\p{Cs}\u202a-\u202e\u2066-\u2069]/u

export interface Dashboard {
  id: string
  name: string
  description: string | null
  refreshSeconds: number
  version: number
  widgets: WidgetDefinition[]
  createdBy: string | null
  createdAt: string
  updatedBy: string | null
  updatedAt: string
}

export interface DashboardSummary {
  id: string
  name: string
  description: string | null
  widgetCount: number
  updatedAt: string
}

export interface DashboardInput {
  name: string
  description?: string | null | undefined
  refreshSeconds?: number | undefined
  widgets: WidgetDefinition[]
}

export interface DashboardChanges extends DashboardInput {
  /** The version the change was made against; a stale one is refused. */
  expectedVersion?: number | undefined
}

export interface WidgetResult extends Partial<SuppressedFigures> {
  index: number
  title: string
  collectionId: string
  /** null when the collection is unavailable (deleted, or gone). */
  collectionName: string | null
  aggregate: Aggregate
  field: string | null
  groupBy: string | null
  interval: Interval | null
  /** Groups (and ungrouped figures) from fewer records than this are suppressed. */
  threshold: number
  status: 'ok' | 'error'
  /** Why the widget could not be computed: its collection or schema changed since it was saved. */
  error?: { code: string; message: string; field?: string }
}

export interface DashboardResults {
  dashboardId: string
  name: string
  refreshSeconds: number
  generatedAt: string
  widgets: WidgetResult[]
}

function toDashboard(row: DashboardRow): Dashboard {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    refreshSeconds: row.refresh_seconds,
    version: row.version,
    widgets: row.widgets,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedBy: row.updated_by,
    updatedAt: row.updated_at.toISOString(),
  }
}

function toSummary(row: DashboardRow): DashboardSummary {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    widgetCount: row.widgets.length,
    updatedAt: row.updated_at.toISOString(),
  }
}

function checkName(input: string): string {
  const name = input.trim().normalize('NFC')
  const length = [...name].length
  if (length < 1 || length > MAX_NAME_LENGTH || UNSAFE_TEXT.test(name)) {
    throw DashboardErrors.DATA_DASHBOARD_NAME_INVALID()
  }
  return name
}

function checkDescription(input: string | null | undefined): string | null {
  if (input === null || input === undefined) return null
  const description = input.trim().normalize('NFC')
  if (
    [...description].length > MAX_DESCRIPTION_LENGTH ||
    DESCRIPTION_FORBIDDEN.test(description.replace(DESCRIPTION_WHITESPACE, ''))
  ) {
    throw DashboardErrors.DATA_DASHBOARD_DESCRIPTION_INVALID()
  }
  return description === '' ? null : description
}

/** The stored form of a widget: title trimmed and NFC, absent options left out. */
function normaliseWidget(widget: WidgetDefinition, index: number): WidgetDefinition {
  const title = widget.title.trim().normalize('NFC')
  if ([...title].length < 1 || [...title].length > MAX_TITLE_LENGTH || UNSAFE_TEXT.test(title)) {
    throw DashboardErrors.DATA_WIDGET_INVALID(
      `Widget ${index}: a title has 1 to ${MAX_TITLE_LENGTH} characters, no control or direction characters`,
      { widget: index, property: 'title' },
    )
  }
  const range = widget.range
    ? {
        ...(widget.range.lastDays !== undefined ? { lastDays: widget.range.lastDays } : {}),
        ...(widget.range.from !== undefined ? { from: widget.range.from } : {}),
        ...(widget.range.to !== undefined ? { to: widget.range.to } : {}),
      }
    : undefined
  return {
    title,
    collectionId: widget.collectionId,
    aggregate: widget.aggregate,
    ...(widget.field !== undefined ? { field: widget.field } : {}),
    ...(widget.groupBy !== undefined ? { groupBy: widget.groupBy } : {}),
    ...(widget.interval !== undefined ? { interval: widget.interval } : {}),
    ...(widget.timeField !== undefined ? { timeField: widget.timeField } : {}),
    ...(range ? { range } : {}),
    ...(widget.minGroupSize !== undefined ? { minGroupSize: widget.minGroupSize } : {}),
  }
}

function issueError(index: number, issue: WidgetIssue): AppError {
  return DashboardErrors[issue.code](`Widget ${index}: ${issue.message}`, {
    widget: index,
    property: issue.property,
    ...(issue.field !== undefined ? { field: issue.field } : {}),
  })
}

/**
 * Checks every widget against its collection as `principal` may see it: the collection must be
 * live and viewable by the one saving (an editor cannot aim a widget at data they cannot see),
 * and the widget must fit its current schema.
 */
async function checkWidgets(
  ctx: ServiceContext,
  trx: Trx,
  principal: Principal,
  widgets: readonly WidgetDefinition[],
): Promise<WidgetDefinition[]> {
  if (widgets.length > MAX_WIDGETS) {
    throw DashboardErrors.DATA_WIDGET_INVALID(`At most ${MAX_WIDGETS} widgets`, {
      property: 'widgets',
    })
  }
  const normalised = widgets.map(normaliseWidget)
  const { tenantId } = principal
  const viewable = new Map<string, { fields: CollectionSchema['fields'] }>()
  for (const [index, widget] of normalised.entries()) {
    let collection = viewable.get(widget.collectionId)
    if (!collection) {
      try {
        collection = await collectionForAccess(
          trx,
          tenantId,
          principal,
          widget.collectionId,
          'view',
        )
      } catch (err) {
        // Missing, locked, another organisation's or not viewable: one answer for all.
        if (!(err instanceof AppError) || err.code !== 'DATA_COLLECTION_NOT_FOUND') throw err
        throw DashboardErrors.DATA_WIDGET_COLLECTION_NOT_FOUND(undefined, {
          widget: index,
          property: 'collectionId',
        })
      }
      viewable.set(widget.collectionId, collection)
    }
    const issue = widgetIssue(widget, collection, ctx.config.data.minGroupSize)
    if (issue) throw issueError(index, issue)
  }
  return normalised
}

const dashboardEvent = changeEventsOf(DASHBOARD_TYPE)

/** The dashboard if `principal` may `access` it (data.manage: every one), else not found. */
async function dashboardForAccess(
  trx: Trx,
  principal: Principal,
  dashboardId: string,
  access: 'view' | 'edit',
  lock = false,
): Promise<DashboardRow> {
  const { tenantId } = principal
  if (!isUuid(dashboardId)) throw DashboardErrors.DATA_DASHBOARD_NOT_FOUND()
  if (!(await mayReach(trx, tenantId, principal, DASHBOARD_TYPE, dashboardId, access))) {
    throw DashboardErrors.DATA_DASHBOARD_NOT_FOUND()
  }
  const row = await findDashboard(trx, tenantId, dashboardId, lock)
  if (!row) throw DashboardErrors.DATA_DASHBOARD_NOT_FOUND()
  return row
}

export async function createDashboard(
  ctx: ServiceContext,
  principal: Principal,
  input: DashboardInput,
  meta: RequestMeta,
): Promise<Dashboard> {
  assertCan(principal, 'data.manage')
  const name = checkName(input.name)
  const description = checkDescription(input.description)
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    const widgets = await checkWidgets(ctx, trx, principal, input.widgets)
    // The cap is counted under a per-organisation lock: parallel creates cannot pass it.
    await lockDashboardCreation(trx, tenantId)
    if ((await countDashboards(trx, tenantId)) >= MAX_DASHBOARDS_PER_TENANT) {
      throw DashboardErrors.DATA_DASHBOARD_LIMIT_REACHED(undefined, {
        limit: MAX_DASHBOARDS_PER_TENANT,
      })
    }
    const row = await insertDashboard(trx, {
      id: randomUUID(),
      tenant_id: tenantId,
      name,
      description,
      widgets: JSON.stringify(widgets),
      refresh_seconds: input.refreshSeconds ?? DEFAULT_REFRESH_SECONDS,
      created_by: principal.userId,
      updated_by: principal.userId,
    })
    await recordEvent(trx, tenantId, dashboardEvent('dashboard.create', principal, row.id, meta))
    return toDashboard(row)
  })
}

/** The dashboards the caller may view: all for data.manage, else the granted ones. */
export async function listDashboards(
  ctx: ServiceContext,
  principal: Principal,
): Promise<DashboardSummary[]> {
  assertCan(principal, 'dashboards.read')
  const { tenantId } = principal
  const rows = await withTenant(ctx.db, tenantId, async (trx) => {
    const ids = await viewableIds(trx, tenantId, principal, DASHBOARD_TYPE)
    return listDashboardRows(trx, tenantId, ids)
  })
  return rows.map(toSummary)
}

export async function getDashboard(
  ctx: ServiceContext,
  principal: Principal,
  dashboardId: string,
): Promise<Dashboard> {
  assertCan(principal, 'dashboards.read')
  const row = await withTenant(ctx.db, principal.tenantId, (trx) =>
    dashboardForAccess(trx, principal, dashboardId, 'view'),
  )
  return toDashboard(row)
}

/**
 * AUTHZ-2: what the caller may do with a dashboard, so a screen offers only what the API would
 * allow: `edit` needs dashboards.write and an edit grant (or data.manage). A dashboard the caller
 * may not view is not found, as everywhere else.
 */
export async function dashboardAccess(
  ctx: ServiceContext,
  principal: Principal,
  dashboardId: string,
): Promise<{ view: true; edit: boolean }> {
  assertCan(principal, 'dashboards.read')
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    await dashboardForAccess(trx, principal, dashboardId, 'view')
    const edit =
      can(principal, 'dashboards.write') &&
      (await mayReach(trx, tenantId, principal, DASHBOARD_TYPE, dashboardId, 'edit'))
    return { view: true as const, edit }
  })
}

/**
 * Replaces name, description, refresh and widgets. The row is locked first, so of parallel
 * changes made against one `expectedVersion` exactly one commits.
 */
export async function changeDashboard(
  ctx: ServiceContext,
  principal: Principal,
  dashboardId: string,
  changes: DashboardChanges,
  meta: RequestMeta,
): Promise<Dashboard> {
  assertCan(principal, 'dashboards.write')
  const name = checkName(changes.name)
  const description = checkDescription(changes.description)
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    const row = await dashboardForAccess(trx, principal, dashboardId, 'edit', true)
    if (changes.expectedVersion !== undefined && changes.expectedVersion !== row.version) {
      throw DashboardErrors.DATA_DASHBOARD_VERSION_CONFLICT(undefined, { version: row.version })
    }
    const widgets = await checkWidgets(ctx, trx, principal, changes.widgets)
    const refreshSeconds = changes.refreshSeconds ?? row.refresh_seconds
    const changed = [
      ...(name !== row.name ? ['name'] : []),
      ...(description !== row.description ? ['description'] : []),
      ...(refreshSeconds !== row.refresh_seconds ? ['refresh_seconds'] : []),
      // Deep equality: jsonb hands object keys back in its own order, so text would always differ.
      ...(isDeepStrictEqual(widgets, row.widgets) ? [] : ['widgets']),
    ]
    if (changed.length === 0) return toDashboard(row)
    const updated = await updateDashboard(trx, tenantId, dashboardId, {
      name,
      description,
      refresh_seconds: refreshSeconds,
      widgets: JSON.stringify(widgets),
      updated_by: principal.userId,
    })
    await recordEvent(
      trx,
      tenantId,
      dashboardEvent('dashboard.update', principal, dashboardId, meta, changed),
    )
    return toDashboard(updated)
  })
}

/** Deletes the dashboard, every grant on it and its place on every kiosk link, at once. */
export async function removeDashboard(
  ctx: ServiceContext,
  principal: Principal,
  dashboardId: string,
  meta: RequestMeta,
): Promise<void> {
  assertCan(principal, 'data.manage')
  if (!isUuid(dashboardId)) throw DashboardErrors.DATA_DASHBOARD_NOT_FOUND()
  const { tenantId } = principal
  await withTenant(ctx.db, tenantId, async (trx) => {
    if (!(await findDashboard(trx, tenantId, dashboardId, true))) {
      throw DashboardErrors.DATA_DASHBOARD_NOT_FOUND()
    }
    await removeGrantsOnResource(
      trx,
      tenantId,
      DASHBOARD_TYPE,
      dashboardId,
      actorOf(principal),
      meta,
    )
    await deleteDashboard(trx, tenantId, dashboardId)
    await recordEvent(
      trx,
      tenantId,
      dashboardEvent('dashboard.delete', principal, dashboardId, meta),
    )
  })
}

/** The dashboard's results, computed now; its view grant is all a caller needs. */
export async function dashboardResults(
  ctx: ServiceContext,
  principal: Principal,
  dashboardId: string,
): Promise<DashboardResults> {
  assertCan(principal, 'dashboards.read')
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    const row = await dashboardForAccess(trx, principal, dashboardId, 'view')
    return (await computeDashboards(ctx, trx, tenantId, [row]))[0] as DashboardResults
  })
}

function widgetError(
  base: Omit<WidgetResult, 'status'>,
  code: string,
  message: string,
  field?: string,
): WidgetResult {
  return { ...base, status: 'error', error: { code, message, ...(field ? { field } : {}) } }
}

async function computeWidget(
  ctx: ServiceContext,
  trx: Trx,
  tenantId: string,
  widget: WidgetDefinition,
  index: number,
  collection: CollectionSchema | undefined,
  now: number,
): Promise<WidgetResult> {
  const minGroupSize = ctx.config.data.minGroupSize
  const base = {
    index,
    title: widget.title,
    collectionId: widget.collectionId,
    collectionName: collection?.name ?? null,
    aggregate: widget.aggregate,
    field: widget.field ?? null,
    groupBy: widget.groupBy ?? null,
    interval: widget.interval ?? null,
    threshold: Math.max(minGroupSize, widget.minGroupSize ?? 0),
  }
  if (!collection) {
    return widgetError(
      base,
      'DATA_WIDGET_COLLECTION_UNAVAILABLE',
      'The collection was deleted; the widget shows again if it is restored',
    )
  }
  // The schema may have changed since the widget was saved: check again, widget by widget.
  const issue = widgetIssue(widget, collection, minGroupSize)
  // A threshold below a since-raised deployment minimum is not an error: the higher one applies.
  if (issue && issue.code !== 'DATA_WIDGET_THRESHOLD_TOO_LOW') {
    return widgetError(base, issue.code, issue.message, issue.field)
  }
  const query = widgetQuery(widget, minGroupSize, now)
  const figures = suppressSmallGroups(query, await aggregateWidget(trx, tenantId, query))
  return { ...base, status: 'ok', ...figures }
}

/**
 * The results of dashboards the caller was already allowed to see, in the caller's tenant
 * transaction: one aggregate statement per widget, over live records of live collections only.
 * Kiosk links (AUTHZ-3) show their dashboards through this too.
 */
export async function computeDashboards(
  ctx: ServiceContext,
  trx: Trx,
  tenantId: string,
  rows: readonly DashboardRow[],
): Promise<DashboardResults[]> {
  const now = Date.now()
  const collectionIds = [...new Set(rows.flatMap((row) => row.widgets.map((w) => w.collectionId)))]
  const schemas = new Map(
    (await liveCollectionSchemas(trx, tenantId, collectionIds)).map((c) => [c.id, c]),
  )
  const results: DashboardResults[] = []
  for (const row of rows) {
    const widgets: WidgetResult[] = []
    for (const [index, widget] of row.widgets.entries()) {
      widgets.push(
        await computeWidget(
          ctx,
          trx,
          tenantId,
          widget,
          index,
          schemas.get(widget.collectionId),
          now,
        ),
      )
    }
    results.push({
      dashboardId: row.id,
      name: row.name,
      refreshSeconds: row.refresh_seconds,
      generatedAt: new Date(now).toISOString(),
      widgets,
    })
  }
  return results
}
