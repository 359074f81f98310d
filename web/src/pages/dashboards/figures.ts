// DATA-1: how a widget's figures read, in its chart, its hidden table and its summary alike.
import type { WidgetResult } from './types.ts'

const NUMBER = new Intl.NumberFormat('en', { maximumFractionDigits: 2 })

export function formatFigure(value: number): string {
  return NUMBER.format(value)
}

/** A group's value label; records without a value form their own group (label null). */
export function groupName(label: string | null | undefined): string {
  return label === null || label === undefined ? '(none)' : label
}

export function periodName(period: string | null | undefined): string {
  return period === null || period === undefined ? '(no date)' : period
}

const AGGREGATE_WORDS: Record<string, string> = {
  count: 'Count of records',
  sum: 'Sum',
  avg: 'Average',
  min: 'Minimum',
  max: 'Maximum',
}

/** "Sum of amount by region and month", for the widget's subtitle. */
export function describeWidget(widget: {
  aggregate: string
  field?: string | null
  groupBy?: string | null
  interval?: string | null
}): string {
  const what = AGGREGATE_WORDS[widget.aggregate] ?? widget.aggregate
  const of = widget.aggregate === 'count' || !widget.field ? '' : ` of ${widget.field}`
  const by = [widget.groupBy, widget.interval].filter(Boolean)
  return `${what}${of}${by.length > 0 ? ` by ${by.join(' and ')}` : ''}`
}

/**
 * AUTHZ-2, DATA-1: the groups left out for being too small are named as hidden, never as zero
 * (a zero would be a figure the records do not give).
 */
export function hiddenNote(widget: WidgetResult): string | null {
  const suppressed = widget.suppressed ?? 0
  if (suppressed === 0) return null
  return `${suppressed} group${suppressed === 1 ? '' : 's'} hidden (fewer than ${widget.threshold} records)`
}

export function omittedNote(widget: WidgetResult): string | null {
  const omitted = widget.omitted ?? 0
  if (omitted === 0) return null
  return `${omitted} smaller group${omitted === 1 ? '' : 's'} not shown (only the 100 largest are)`
}

/** The widget's figures as one sentence: the chart's text alternative. */
export function summarise(widget: WidgetResult): string {
  const parts = (widget.groups ?? []).map((g) => {
    const name = [
      g.period === undefined ? null : periodName(g.period),
      g.label === undefined ? null : groupName(g.label),
    ]
      .filter((x) => x !== null)
      .join(', ')
    return `${name}: ${formatFigure(g.value)}`
  })
  const notes = [hiddenNote(widget), omittedNote(widget)].filter((x) => x !== null)
  const kind = widget.interval ? 'Line chart' : 'Bar chart'
  return `${kind}, ${describeWidget(widget)}. ${parts.join('; ')}${notes.length > 0 ? `. ${notes.join('. ')}` : ''}.`
}
