// DATA-1: editing a dashboard's widgets (dashboards.write with an edit grant, or data.manage).
// Changes are made to a draft and saved at once with PUT and the version they started from, so
// a change someone else saved meanwhile is refused (DATA_DASHBOARD_VERSION_CONFLICT) instead of
// overwritten. Only public and internal fields are offered: personal and sensitive values are
// never aggregated (KMS-2), and the API refuses them anyway.
import { type FormEvent, useState } from 'react'
import { ApiError, api } from '../../api/client.ts'
import { type Collection, type CollectionField, useCollections } from '../../api/collections.ts'
import { messageFor } from '../../api/messages.ts'
import { SelectField } from '../../components/forms.tsx'
import {
  Empty,
  ErrorMessage,
  Field,
  Loading,
  SubmitButton,
  useAction,
} from '../../components/ui.tsx'
import { describeWidget } from './figures.ts'
import type { Aggregate, Dashboard, Interval, Widget } from './types.ts'

const CREATED_AT = 'createdAt'
const SHOWABLE = new Set(['public', 'internal'])
const GROUPABLE = new Set(['text', 'enum', 'boolean', 'date'])

const showable = (fields: CollectionField[]) => fields.filter((f) => SHOWABLE.has(f.classification))

/** A refusal naming a widget (details.widget) says which one. */
function saveFailure(error: unknown, widgets: Widget[]): string | null {
  if (!(error instanceof ApiError)) return null
  const index = (error.details as { widget?: unknown } | undefined)?.widget
  if (typeof index !== 'number') return null
  const widget = widgets[index]
  return `Widget ${index + 1}${widget ? ` (“${widget.title}”)` : ''}: ${messageFor(error)}`
}

interface EditorProps {
  dashboard: Dashboard
  onSaved(): void
  onReload(): void
}

export function WidgetEditor({ dashboard, onSaved, onReload }: EditorProps) {
  const [widgets, setWidgets] = useState<Widget[]>(dashboard.widgets)
  /** The version a save must name: the one the draft started from, or our last save. */
  const [startedFrom, setStartedFrom] = useState(dashboard.version)
  const [seenVersion, setSeenVersion] = useState(dashboard.version)
  const [saved, setSaved] = useState(false)
  const { busy, error, setError, run } = useAction()
  const collections = useCollections()
  const names = new Map((collections.data?.collections ?? []).map((c) => [c.id, c.name]))
  // The dashboard read again: our own save comes back as the version we expect and keeps the
  // draft; any other version is someone else's change (after a conflict), so the draft restarts.
  if (dashboard.version !== seenVersion) {
    setSeenVersion(dashboard.version)
    if (dashboard.version !== startedFrom) {
      setStartedFrom(dashboard.version)
      setWidgets(dashboard.widgets)
    }
  }
  const conflict = error instanceof ApiError && error.code === 'DATA_DASHBOARD_VERSION_CONFLICT'

  const save = () =>
    run(async () => {
      setSaved(false)
      const changed = await api<Dashboard>(
        'PUT',
        `/api/v1/dashboards/${encodeURIComponent(dashboard.id)}`,
        {
          name: dashboard.name,
          description: dashboard.description,
          refreshSeconds: dashboard.refreshSeconds,
          widgets,
          expectedVersion: startedFrom,
        },
      )
      setStartedFrom(changed.version)
      setSaved(true)
      onSaved()
    })

  return (
    <section className="panel" aria-labelledby="editor-heading">
      <h2 id="editor-heading">Edit widgets</h2>
      {widgets.length === 0 ? <Empty>No widgets yet: add the first one below.</Empty> : null}
      {widgets.length > 0 ? (
        <ol className="dash-draft">
          {widgets.map((w, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a widget has no id; its place is its identity
            <li key={i} className="row">
              <div>
                <strong>{w.title}</strong>
                <br />
                <small>
                  {describeWidget(w)} · {names.get(w.collectionId) ?? 'collection'}
                  {w.range?.lastDays ? ` · last ${w.range.lastDays} days` : ''}
                  {w.range?.from || w.range?.to
                    ? ` · ${w.range.from ?? '…'} to ${w.range.to ?? '…'}`
                    : ''}
                </small>
              </div>
              <button
                type="button"
                aria-label={`Remove widget ${i + 1}, ${w.title}`}
                onClick={() => {
                  setSaved(false)
                  setWidgets(widgets.filter((_, j) => j !== i))
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ol>
      ) : null}
      {collections.error ? <ErrorMessage error={collections.error} /> : null}
      {!collections.data && !collections.error ? <Loading what="Loading collections" /> : null}
      {collections.data ? (
        <AddWidget
          collections={collections.data.collections}
          onAdd={(w) => {
            setSaved(false)
            setError(null)
            setWidgets([...widgets, w])
          }}
        />
      ) : null}
      {error ? (
        <p className="notice error" role="alert">
          {saveFailure(error, widgets) ?? messageFor(error)}
        </p>
      ) : null}
      {saved ? (
        <p className="notice success" role="status">
          Saved.
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="primary" disabled={busy} onClick={() => void save()}>
          {busy ? 'Please wait…' : 'Save widgets'}
        </button>
        {conflict ? (
          <button
            type="button"
            onClick={() => {
              setError(null)
              onReload()
            }}
          >
            Reload the dashboard
          </button>
        ) : null}
      </div>
    </section>
  )
}

type RangeKind = 'none' | 'last' | 'between'

function AddWidget({
  collections,
  onAdd,
}: {
  collections: Collection[]
  onAdd(widget: Widget): void
}) {
  const [title, setTitle] = useState('')
  const [collectionId, setCollectionId] = useState(collections[0]?.id ?? '')
  const [aggregate, setAggregate] = useState<Aggregate>('count')
  const [field, setField] = useState('')
  const [groupBy, setGroupBy] = useState('')
  const [interval, setPeriod] = useState<'' | Interval>('')
  const [timeField, setTimeField] = useState(CREATED_AT)
  const [rangeKind, setRangeKind] = useState<RangeKind>('none')
  const [lastDays, setLastDays] = useState('30')
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [minGroupSize, setMinGroupSize] = useState('')

  if (collections.length === 0) {
    return <Empty>There is no collection to read yet: define one under Data first.</Empty>
  }
  const collection = collections.find((c) => c.id === collectionId) ?? collections[0]
  const fields = showable(collection?.fields ?? [])
  const numbers = fields.filter((f) => f.type === 'number')
  const groupable = fields.filter((f) => GROUPABLE.has(f.type))
  const dates = fields.filter((f) => f.type === 'date')
  const usesTime = interval !== '' || rangeKind !== 'none'

  const submit = (event: FormEvent) => {
    event.preventDefault()
    // Nothing to aggregate: the warning above says why.
    if (!collection || (aggregate !== 'count' && numbers.length === 0)) return
    const widget: Widget = { title: title.trim(), collectionId: collection.id, aggregate }
    if (aggregate !== 'count') widget.field = field || numbers[0]?.key
    if (groupBy) widget.groupBy = groupBy
    if (interval) widget.interval = interval
    if (usesTime && timeField !== CREATED_AT) widget.timeField = timeField
    if (rangeKind === 'last') widget.range = { lastDays: Number(lastDays) }
    if (rangeKind === 'between') {
      widget.range = { ...(from ? { from } : {}), ...(to ? { to } : {}) }
    }
    if (minGroupSize) widget.minGroupSize = Number(minGroupSize)
    onAdd(widget)
    setTitle('')
  }

  return (
    <form onSubmit={submit} className="dash-add" aria-labelledby="add-widget-heading">
      <h3 id="add-widget-heading">Add a widget</h3>
      <Field
        label="Widget title"
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        required
        maxLength={100}
      />
      <SelectField
        label="Collection"
        value={collection?.id ?? ''}
        onChange={(e) => {
          setCollectionId(e.target.value)
          setField('')
          setGroupBy('')
          setTimeField(CREATED_AT)
        }}
      >
        {collections.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </SelectField>
      <SelectField
        label="Aggregate"
        value={aggregate}
        onChange={(e) => setAggregate(e.target.value as Aggregate)}
      >
        <option value="count">Count of records</option>
        <option value="sum">Sum</option>
        <option value="avg">Average</option>
        <option value="min">Minimum</option>
        <option value="max">Maximum</option>
      </SelectField>
      {aggregate !== 'count' ? (
        numbers.length > 0 ? (
          <SelectField
            label="Number field"
            value={field || numbers[0]?.key}
            onChange={(e) => setField(e.target.value)}
          >
            {numbers.map((f) => (
              <option key={f.key} value={f.key}>
                {f.label}
              </option>
            ))}
          </SelectField>
        ) : (
          <p className="notice warning">This collection has no public or internal number field.</p>
        )
      ) : null}
      <SelectField
        label="Group by field"
        value={groupBy}
        onChange={(e) => setGroupBy(e.target.value)}
        hint="One bar per value. Personal and sensitive fields are never offered."
      >
        <option value="">No grouping</option>
        {groupable.map((f) => (
          <option key={f.key} value={f.key}>
            {f.label}
          </option>
        ))}
      </SelectField>
      <SelectField
        label="Group by period"
        value={interval}
        onChange={(e) => setPeriod(e.target.value as '' | Interval)}
        hint="One point per day, week (from Monday) or month, in UTC."
      >
        <option value="">No period</option>
        <option value="day">Day</option>
        <option value="week">Week</option>
        <option value="month">Month</option>
      </SelectField>
      <SelectField
        label="Range"
        value={rangeKind}
        onChange={(e) => setRangeKind(e.target.value as RangeKind)}
      >
        <option value="none">All records</option>
        <option value="last">The last N days</option>
        <option value="between">Between two dates</option>
      </SelectField>
      {rangeKind === 'last' ? (
        <Field
          label="Number of days"
          type="number"
          min={1}
          max={3660}
          value={lastDays}
          onChange={(e) => setLastDays(e.target.value)}
          required
        />
      ) : null}
      {rangeKind === 'between' ? (
        <>
          <Field
            label="From (inclusive)"
            type="date"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
          <Field
            label="To (inclusive)"
            type="date"
            value={to}
            onChange={(e) => setTo(e.target.value)}
          />
        </>
      ) : null}
      {usesTime ? (
        <SelectField
          label="Date used for the period and range"
          value={timeField}
          onChange={(e) => setTimeField(e.target.value)}
        >
          <option value={CREATED_AT}>When the record was created</option>
          {dates.map((f) => (
            <option key={f.key} value={f.key}>
              {f.label}
            </option>
          ))}
        </SelectField>
      ) : null}
      <Field
        label="Minimum group size (optional)"
        type="number"
        min={1}
        max={1000}
        value={minGroupSize}
        onChange={(e) => setMinGroupSize(e.target.value)}
        hint="Groups with fewer records are hidden. Only raises the deployment's threshold."
      />
      <div className="actions">
        <SubmitButton busy={false}>Add widget</SubmitButton>
      </div>
    </form>
  )
}
