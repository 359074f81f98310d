// DATA-1: small-group suppression. No figure computed from fewer records than the threshold is
// shown: such a group is left out (only how many were is said), and an ungrouped figure shows no
// value. When what is left out adds up to fewer records than the threshold (but more than none),
// the smallest shown group is left out too, so a total taken elsewhere minus the shown groups
// cannot single out the few records that were hidden (secondary suppression).
import type { WidgetQuery } from './dashboards.widgets.ts'
import type { WidgetAggregate, WidgetGroupRow } from './widgets.repository.ts'

interface WidgetGroup {
  /** Start of the interval (`YYYY-MM-DD`), with an interval. */
  period?: string | null
  /** The group field's value (`true`/`false` for booleans); null for records without one. */
  label?: string | null
  value: number
}

export interface SuppressedFigures {
  /** Ungrouped widgets: the figure, or null when suppressed. */
  value?: number | null
  /** Grouped widgets: the groups shown. */
  groups?: WidgetGroup[]
  /** Groups (or the ungrouped figure) left out for being computed from too few records. */
  suppressed: number
  /** Groups of enough records left out by the cap on groups per widget. */
  omitted: number
}

function figureOf(query: WidgetQuery, row: WidgetGroupRow): number {
  return query.aggregate === 'count' ? row.n : (row.value ?? 0)
}

function groupOf(query: WidgetQuery, row: WidgetGroupRow): WidgetGroup {
  return {
    ...(query.interval !== null ? { period: row.period } : {}),
    ...(query.groupField !== null ? { label: row.label } : {}),
    value: figureOf(query, row),
  }
}

function byPeriodThenLabel(a: WidgetGroup, b: WidgetGroup): number {
  const pa = a.period ?? '\uffff'
  const pb = b.period ?? '\uffff'
  if (pa !== pb) return pa < pb ? -1 : 1
  const la = a.label ?? '\uffff'
  const lb = b.label ?? '\uffff'
  return la < lb ? -1 : la > lb ? 1 : 0
}

export function suppressSmallGroups(
  query: WidgetQuery,
  aggregate: WidgetAggregate,
): SuppressedFigures {
  const grouped = query.groupField !== null || query.interval !== null
  if (!grouped) {
    const only = aggregate.groups[0]
    return only
      ? { value: figureOf(query, only), suppressed: 0, omitted: 0 }
      : { value: null, suppressed: 1, omitted: 0 }
  }
  // The repository returns only groups of at least the threshold, largest first.
  const shown = [...aggregate.groups]
  const omitted = aggregate.largeGroups - shown.length
  let suppressed = aggregate.smallGroups
  const hiddenBelowThreshold =
    omitted === 0 && aggregate.smallRecords > 0 && aggregate.smallRecords < query.threshold
  if (hiddenBelowThreshold && shown.length > 0) {
    shown.pop()
    suppressed += 1
  }
  const groups = shown.map((row) => groupOf(query, row))
  if (query.interval !== null) groups.sort(byPeriodThenLabel)
  return { groups, suppressed, omitted }
}
