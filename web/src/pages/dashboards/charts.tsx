// DATA-1: a widget's groups drawn as a chart with Recharts (SVG; decision 0010). Loaded on
// demand by widget.tsx, so screens without charts do not carry the library. The SVG is
// decoration for sighted users: the wrapper is one labelled image (role="img") and the numbers
// are also in a visually hidden table (widget.tsx), so screen readers get every figure.
import type { ReactElement } from 'react'
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import { formatFigure, groupName, periodName } from './figures.ts'
import type { WidgetResult } from './types.ts'

// Dark enough against white for the WCAG 3:1 of graphical objects.
const COLOURS = ['#1f4e79', '#a4161a', '#1b5e20', '#6a3d9a', '#8a4500', '#00695c', '#4e342e']
/** Lines per chart when a widget groups by a field and a period: more would be unreadable. */
const MAX_SERIES = COLOURS.length

/**
 * Series are keyed s0, s1, ... and named in the legend: a value such as `name` or `constructor`
 * stays data, never a property of the row.
 */
type Row = { period: string } & Partial<Record<`s${number}`, number>>

/** By value and period: one row per period, one column per value (the largest ones). */
function pivot(widget: WidgetResult): { rows: Row[]; series: string[] } {
  const totals = new Map<string, number>()
  for (const g of widget.groups ?? []) {
    const name = groupName(g.label)
    totals.set(name, (totals.get(name) ?? 0) + g.value)
  }
  const series = [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_SERIES)
    .map(([name]) => name)
  const rows = new Map<string, Row>()
  for (const g of widget.groups ?? []) {
    const period = periodName(g.period)
    const row = rows.get(period) ?? { period }
    // A value missing from a period stays a gap: it was suppressed or had no records, never zero.
    const at = series.indexOf(groupName(g.label))
    if (at >= 0) row[`s${at}`] = g.value
    rows.set(period, row)
  }
  return { rows: [...rows.values()].sort((a, b) => a.period.localeCompare(b.period)), series }
}

const axisTick = { fontSize: 12 }
// Room on the right for the last point and its label, which the plot area would clip.
const margin = { top: 8, right: 24, bottom: 0, left: 0 }

export default function WidgetChart({
  widget,
  summary,
}: {
  widget: WidgetResult
  summary: string
}) {
  const groups = widget.groups ?? []
  let chart: ReactElement
  if (widget.interval && widget.groupBy) {
    const { rows, series } = pivot(widget)
    chart = (
      <LineChart data={rows} margin={margin} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="period" tick={axisTick} />
        <YAxis tick={axisTick} tickFormatter={formatFigure} width={48} />
        <Tooltip formatter={(v) => formatFigure(Number(v))} />
        <Legend />
        {series.map((name, i) => (
          <Line
            key={name}
            dataKey={`s${i}`}
            name={name}
            stroke={COLOURS[i % COLOURS.length]}
            strokeWidth={2}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    )
  } else if (widget.interval) {
    const rows = groups
      .map((g) => ({ name: periodName(g.period), value: g.value }))
      .sort((a, b) => a.name.localeCompare(b.name))
    chart = (
      <LineChart data={rows} margin={margin} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="name" tick={axisTick} />
        <YAxis tick={axisTick} tickFormatter={formatFigure} width={48} />
        <Tooltip formatter={(v) => formatFigure(Number(v))} />
        <Line
          dataKey="value"
          name={widget.title}
          stroke={COLOURS[0]}
          strokeWidth={2}
          isAnimationActive={false}
        />
      </LineChart>
    )
  } else {
    const rows = groups.map((g) => ({ name: groupName(g.label), value: g.value }))
    chart = (
      <BarChart data={rows} margin={margin} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="name" tick={axisTick} interval={0} />
        <YAxis tick={axisTick} tickFormatter={formatFigure} width={48} />
        <Tooltip formatter={(v) => formatFigure(Number(v))} />
        <Bar dataKey="value" name={widget.title} fill={COLOURS[0]} isAnimationActive={false} />
      </BarChart>
    )
  }
  return (
    <div className="dash-chart" role="img" aria-label={summary}>
      <ResponsiveContainer width="100%" height={240}>
        {chart}
      </ResponsiveContainer>
    </div>
  )
}
