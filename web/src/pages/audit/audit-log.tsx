// LOG-4: the organisation's audit log for holders of audit.read: events newest first with the
// API's filters, cursor paging, export with the same filters, and each entry's inclusion in the
// signed log checked in the browser (verification.tsx).
import { type FormEvent, useState } from 'react'
import { usePaged } from '../../api/use-paged.ts'
import { type DownloadFormat, DownloadLinks } from '../../components/download-links.tsx'
import { SelectField } from '../../components/forms.tsx'
import { PagedList } from '../../components/paged-list.tsx'
import { useTitle } from '../../components/shell.tsx'
import { Table } from '../../components/table.tsx'
import { Field, formatDate } from '../../components/ui.tsx'
import './audit.css'
import { type AuditEventRow, type AuditFilters, filterQuery, NO_FILTERS } from './types.ts'
import {
  CheckpointPanel,
  type EntryCheck,
  EntryCheckResult,
  useCheckpoint,
  useEntryCheck,
} from './verification.tsx'

const PAGE_SIZES = ['10', '25', '50', '100'] as const
const EXPORT_FORMATS: readonly DownloadFormat[] = [
  ['csv', 'Export as CSV'],
  ['jsonl', 'Export as JSON lines'],
]

export function AuditLog() {
  useTitle('Audit log')
  const [draft, setDraft] = useState<AuditFilters>(NO_FILTERS)
  const [applied, setApplied] = useState<AuditFilters>(NO_FILTERS)
  const [pageSize, setPageSize] = useState<string>('25')
  const query = filterQuery(applied)
  const listQuery = new URLSearchParams(query)
  listQuery.set('limit', pageSize)
  const events = usePaged<AuditEventRow>(`/api/v1/audit/events?${listQuery}`, 'events')
  const checkpoint = useCheckpoint()
  const { check, verify } = useEntryCheck(checkpoint.data?.publicKey ?? null)
  const filtered = Object.values(applied).some((v) => v !== '')

  const apply = (event: FormEvent) => {
    event.preventDefault()
    setApplied(draft)
  }
  const set = (name: keyof AuditFilters) => (event: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [name]: event.target.value }))

  return (
    <>
      <h1>Audit log</h1>
      <p>
        Every sign-in, change of access and change of data in your organisation, as recorded in its
        tamper-evident log. Names, e-mail addresses and values are never recorded: only ids and the
        names of changed fields.
      </p>
      <CheckpointPanel checkpoint={checkpoint} />

      <section className="panel" aria-labelledby="filters-heading">
        <h2 id="filters-heading">Find events</h2>
        <form className="audit-filters" onSubmit={apply}>
          <Field
            label="Action"
            value={draft.action}
            onChange={set('action')}
            hint="For example credential.create or session.create"
            autoComplete="off"
          />
          <SelectField label="Outcome" value={draft.outcome} onChange={set('outcome')}>
            <option value="">Any</option>
            <option value="success">Success</option>
            <option value="failure">Failure</option>
          </SelectField>
          <Field
            label="Actor id"
            value={draft.actor}
            onChange={set('actor')}
            hint="The id of a user or API key"
            autoComplete="off"
          />
          <Field
            label="Target id"
            value={draft.target}
            onChange={set('target')}
            hint="The id of what was acted on"
            autoComplete="off"
          />
          <Field label="From" type="datetime-local" value={draft.from} onChange={set('from')} />
          <Field label="To" type="datetime-local" value={draft.to} onChange={set('to')} />
          <SelectField
            label="Events per page"
            value={pageSize}
            onChange={(event) => setPageSize(event.target.value)}
          >
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </SelectField>
          <div className="actions">
            <button type="submit" className="primary">
              Apply filters
            </button>
            <button
              type="button"
              onClick={() => {
                setDraft(NO_FILTERS)
                setApplied(NO_FILTERS)
              }}
            >
              Clear filters
            </button>
          </div>
        </form>
        <DownloadLinks path="/api/v1/audit/export" formats={EXPORT_FORMATS} query={query} />
        <p className="hint">
          Exports hold every event that matches the filters{filtered ? '' : ' (all of them)'}, and
          the export itself is recorded in the log.
        </p>
      </section>

      <section className="panel audit-events" aria-labelledby="events-heading">
        <h2 id="events-heading">Events</h2>
        <EntryCheckResult check={check} />
        <PagedList
          list={events}
          loadingText="Reading the log"
          empty={filtered ? 'No event matches these filters.' : 'The log is empty.'}
          moreLabel="Show older events"
        >
          {(items) => (
            <Table caption="Audit events, newest first">
              <thead>
                <tr>
                  <th scope="col">Entry</th>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Proof</th>
                </tr>
              </thead>
              <tbody>
                {items.map((e) => (
                  <tr key={e.index}>
                    <td>{e.index}</td>
                    <td>{formatDate(e.time)}</td>
                    <td>
                      <Party party={e.actor} />
                      {e.source ? <small className="audit-source">from {e.source.ip}</small> : null}
                    </td>
                    <td>
                      <code>{e.action}</code>
                      {e.fields?.length ? (
                        <small className="audit-fields">fields: {e.fields.join(', ')}</small>
                      ) : null}
                    </td>
                    <td>{e.target ? <Party party={e.target} /> : '—'}</td>
                    <td>
                      <span className={`badge outcome-${e.outcome === 'success' ? 'ok' : 'bad'}`}>
                        {e.outcome}
                      </span>
                      {e.reason ? <small className="audit-fields">{e.reason}</small> : null}
                    </td>
                    <td>
                      <button
                        type="button"
                        aria-label={`Verify entry ${e.index}`}
                        disabled={check?.state === 'checking'}
                        onClick={() => void verify(e)}
                      >
                        Verify
                      </button>
                      <RowVerdict check={check} index={e.index} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </PagedList>
      </section>
    </>
  )
}

/** The verdict beside the row it is about too, for rows far below the full message. */
function RowVerdict({ check, index }: { check: EntryCheck | null; index: number }) {
  if (check?.index !== index) return null
  if (check.state === 'included') return <small className="verdict ok">included</small>
  if (check.state === 'failed') return <small className="verdict bad">failed</small>
  return null
}

/** An actor or target: its type and id (the log holds ids, never names). */
function Party({ party }: { party: { type: string; id?: string } }) {
  return (
    <>
      {party.type}
      {party.id ? <code className="hash audit-id">{party.id}</code> : null}
    </>
  )
}
