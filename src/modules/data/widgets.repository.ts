// DATA-1: one aggregate statement per widget, computed by the database over the live records of
// one collection. Field keys, the interval and every bound are parameters, never SQL text; the
// aggregate function is picked from a fixed list. Only `data` (public and internal values) is
// read: `sealed` never appears here (KMS-2).
// Small groups are counted and summed here but never returned: only groups of at least the
// threshold leave the database, the largest first, at most `cap` of them.
//
// Cost: the records are read once. Dates in `data` are `YYYY-MM-DD` text (the records codec
// stores nothing else), so a range compares them as text, byte by byte, and time intervals are
// formed in two steps: the records are first grouped by their day (a cheap text or date key),
// and only those day groups are turned into weeks or months and combined. Every aggregate here
// combines exactly (counts and sums add up, extremes of extremes, an average is sum over count).
import { type RawBuilder, sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { WidgetQuery } from './dashboards.widgets.ts'

/**
 * A `YYYY-MM-DD` text that is a date the cast below cannot fail on: a day past the month's end
 * (which the records codec never stores) rolls into the next month instead of aborting the query.
 */
const DATE_TEXT = '^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'

export interface WidgetGroupRow {
  /** Start of the interval, `YYYY-MM-DD`; null without an interval. */
  period: string | null
  /** The group field's value as text; null without a group field or for records without one. */
  label: string | null
  /** Records in the group (with a number in the value field, for sum/avg/min/max). */
  n: number
  /** The aggregate; for count, the same as n. */
  value: number | null
}

export interface WidgetAggregate {
  /** The groups of at least the threshold, largest first, at most `cap`. */
  groups: WidgetGroupRow[]
  /** Groups of at least the threshold (shown or past the cap). */
  largeGroups: number
  /** Groups below the threshold, and how many records they hold together. */
  smallGroups: number
  smallRecords: number
}

/** Per day group: what the aggregate needs to be combined across the days of a period. */
function partialOf(query: WidgetQuery, x: RawBuilder<unknown>): RawBuilder<unknown> {
  switch (query.aggregate) {
    case 'count':
      return sql`NULL::numeric`
    case 'sum':
    case 'avg':
      return sql`sum(${x})`
    case 'min':
      return sql`min(${x})`
    case 'max':
      return sql`max(${x})`
  }
}

/** The combined figure of a period's day groups (`d.n` records, partials `d.p`). */
function combinedOf(query: WidgetQuery): RawBuilder<unknown> {
  switch (query.aggregate) {
    case 'count':
      return sql`sum(d.n)`
    case 'sum':
      return sql`sum(d.p)`
    case 'avg':
      return sql`sum(d.p) / sum(d.n)`
    case 'min':
      return sql`min(d.p)`
    case 'max':
      return sql`max(d.p)`
  }
}

export async function aggregateWidget(
  trx: Trx,
  tenantId: string,
  query: WidgetQuery,
): Promise<WidgetAggregate> {
  const dateText = query.timeField === null ? null : sql`(r.data ->> ${query.timeField})`
  // The day of each record: its text for a date field, its UTC date for createdAt.
  let day: RawBuilder<unknown> = sql`NULL::text`
  let period: RawBuilder<unknown> = sql`NULL::text`
  if (query.interval !== null && dateText !== null) {
    day = dateText
    period = sql`CASE WHEN d.day ~ ${DATE_TEXT} THEN to_char(date_trunc(${query.interval}::text,
      ((substr(d.day, 1, 7) || '-01')::date + (substr(d.day, 9, 2)::int - 1))::timestamp),
      'YYYY-MM-DD') END`
  } else if (query.interval !== null) {
    day = sql`(r.created_at AT TIME ZONE 'UTC')::date`
    period = sql`to_char(date_trunc(${query.interval}::text, d.day::timestamp), 'YYYY-MM-DD')`
  }
  const label = query.groupField === null ? sql`NULL::text` : sql`r.data ->> ${query.groupField}`
  const x =
    query.valueField === null ? sql`NULL::numeric` : sql`(r.data -> ${query.valueField})::numeric`
  // Conditions on real columns go in WHERE. With groups, conditions on `data` filter the
  // aggregates instead: the planner cannot estimate how many records pass a test on a jsonb
  // value and, guessing few, would sort a million rows where hashing them is several times
  // faster. A single figure has no grouping to get wrong, and is quicker filtered in WHERE.
  const columns: RawBuilder<unknown>[] = []
  const values: RawBuilder<unknown>[] = []
  // Only records holding a number take part in sum, avg, min and max (and in their count).
  if (query.valueField !== null) {
    values.push(sql`jsonb_typeof(r.data -> ${query.valueField}) = 'number'`)
  }
  if (query.range) {
    // From the start of `from` to the end of `to`, in UTC. createdAt is compared as stored, so
    // the index on (tenant, collection, created_at) can serve the range; dates as their text.
    const { from, to } = query.range
    if (dateText === null) {
      if (from !== null) {
        columns.push(sql`r.created_at >= ${from}::date::timestamp AT TIME ZONE 'UTC'`)
      }
      if (to !== null) {
        columns.push(sql`r.created_at < (${to}::date + 1)::timestamp AT TIME ZONE 'UTC'`)
      }
    } else {
      if (from !== null) values.push(sql`${dateText} COLLATE "C" >= ${from}`)
      if (to !== null) values.push(sql`${dateText} COLLATE "C" <= ${to}`)
    }
  }
  const grouped = query.groupField !== null || query.interval !== null
  const inWhere = grouped ? columns : [...columns, ...values]
  const where = inWhere.length > 0 ? sql`AND ${sql.join(inWhere, sql` AND `)}` : sql``
  const only =
    grouped && values.length > 0 ? sql`FILTER (WHERE ${sql.join(values, sql` AND `)})` : sql``
  const { rows } = await sql<{
    small_groups: number
    small_records: number
    large_groups: number
    period: string | null
    label: string | null
    n: number | null
    value: number | null
  }>`
    WITH d AS (
      SELECT ${day} AS day, ${label} AS label, count(*) ${only} AS n,
        ${partialOf(query, x)} ${query.aggregate === 'count' ? sql`` : only} AS p
      FROM records r
      WHERE r.tenant_id = ${tenantId} AND r.collection_id = ${query.collectionId}
        AND r.deleted_at IS NULL ${where}
      ${grouped ? sql`GROUP BY 1, 2` : sql``}
    ), g AS (
      SELECT ${period} AS period, d.label, sum(d.n)::int AS n, (${combinedOf(query)})::float8 AS value
      FROM d WHERE d.n > 0 GROUP BY 1, 2
    ), s AS (
      SELECT count(*) FILTER (WHERE n < ${query.threshold})::int AS small_groups,
        coalesce(sum(n) FILTER (WHERE n < ${query.threshold}), 0)::float8 AS small_records,
        count(*) FILTER (WHERE n >= ${query.threshold})::int AS large_groups
      FROM g
    )
    SELECT s.small_groups, s.small_records, s.large_groups, l.period, l.label, l.n, l.value
    FROM s LEFT JOIN LATERAL (
      SELECT g.period, g.label, g.n, g.value FROM g WHERE g.n >= ${query.threshold}
      ORDER BY g.n DESC, g.period NULLS LAST, g.label NULLS LAST LIMIT ${query.cap}
    ) l ON true`.execute(trx)
  const first = rows[0]
  return {
    groups: rows
      .filter((row) => row.n !== null)
      .map((row) => ({
        period: row.period,
        label: row.label,
        n: row.n as number,
        value: row.value,
      })),
    largeGroups: first?.large_groups ?? 0,
    smallGroups: first?.small_groups ?? 0,
    smallRecords: first?.small_records ?? 0,
  }
}
