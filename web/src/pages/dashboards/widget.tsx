// DATA-1: one widget's result: a big number when ungrouped, a chart (with the same figures in a
// visually hidden table) when grouped, and its own error when it could not be computed. Groups
// suppressed for being too small are said to be hidden, never shown as a number.
import { lazy, Suspense } from 'react'
import { ApiError } from '../../api/client.ts'
import { messageFor } from '../../api/messages.ts'
import { Loading } from '../../components/ui.tsx'
import {
  describeWidget,
  formatFigure,
  groupName,
  hiddenNote,
  omittedNote,
  periodName,
  summarise,
} from './figures.ts'
import type { WidgetResult } from './types.ts'

const WidgetChart = lazy(() => import('./charts.tsx'))

function GroupsTable({ widget }: { widget: WidgetResult }) {
  const groups = widget.groups ?? []
  const hidden = hiddenNote(widget)
  return (
    <table className="visually-hidden">
      <caption>{`${widget.title}: the figures`}</caption>
      <thead>
        <tr>
          {widget.interval ? <th scope="col">Period</th> : null}
          {widget.groupBy ? <th scope="col">{widget.groupBy}</th> : null}
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => (
          <tr key={`${g.period ?? ''}|${g.label ?? ''}`}>
            {widget.interval ? <td>{periodName(g.period)}</td> : null}
            {widget.groupBy ? <td>{groupName(g.label)}</td> : null}
            <td>{formatFigure(g.value)}</td>
          </tr>
        ))}
        {hidden ? (
          <tr>
            <td colSpan={(widget.interval ? 1 : 0) + (widget.groupBy ? 1 : 0) + 1}>{hidden}</td>
          </tr>
        ) : null}
      </tbody>
    </table>
  )
}

function Figures({ widget }: { widget: WidgetResult }) {
  if (widget.status === 'error') {
    const error = widget.error
    return (
      <p className="notice error">
        {error
          ? messageFor(new ApiError(0, error.code, error.message))
          : 'This widget could not be computed.'}
      </p>
    )
  }
  if (!widget.groups) {
    if (widget.value === null || widget.value === undefined) {
      return (
        <p className="dash-figure dash-hidden">Hidden (fewer than {widget.threshold} records)</p>
      )
    }
    return <p className="dash-figure">{formatFigure(widget.value)}</p>
  }
  if (widget.groups.length === 0) {
    return <p className="empty">No group has enough records to show.</p>
  }
  return (
    <>
      <Suspense fallback={<Loading what="Drawing the chart" />}>
        <WidgetChart widget={widget} summary={summarise(widget)} />
      </Suspense>
      <GroupsTable widget={widget} />
    </>
  )
}

export function WidgetCard({ widget }: { widget: WidgetResult }) {
  const notes = widget.status === 'ok' ? [hiddenNote(widget), omittedNote(widget)] : []
  return (
    <section className="panel dash-widget" aria-labelledby={`widget-${widget.index}`}>
      <h3 id={`widget-${widget.index}`}>{widget.title}</h3>
      <p className="dash-source">
        {describeWidget(widget)}
        {widget.collectionName ? ` · ${widget.collectionName}` : ''}
      </p>
      <Figures widget={widget} />
      {notes.map((note) =>
        note ? (
          <p key={note} className="dash-note">
            {note}
          </p>
        ) : null,
      )}
    </section>
  )
}
