// DATA-1: importing records from a CSV, NDJSON or JSON file (records.import and edit access).
// The file goes as the request body, streamed by the API; the answer is the per-row report
// (docs/data-import.md): what was read, committed and rejected, and up to which row all settled.
import { useState } from 'react'
import { Link } from 'wouter'
import { ApiError, apiUpload } from '../../api/client.ts'
import { DATA_IMPORT_ISSUES } from '../../api/messages/data.ts'
import { messageFor } from '../../api/messages.ts'
import { SelectField } from '../../components/forms.tsx'
import { Table } from '../../components/table.tsx'
import { SubmitButton, useAction } from '../../components/ui.tsx'
import { CollectionGate } from './collection-gate.tsx'
import { DataNav } from './data-nav.tsx'
import { type Collection, collectionPath, type ImportReport } from './types.ts'

const MEDIA_TYPES = {
  csv: 'text/csv',
  ndjson: 'application/x-ndjson',
  json: 'application/json',
} as const
type Format = keyof typeof MEDIA_TYPES

/** The format a file's name suggests; CSV unless it says otherwise. */
function formatOfName(name: string): Format {
  const lower = name.toLowerCase()
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) return 'ndjson'
  if (lower.endsWith('.json')) return 'json'
  return 'csv'
}

export function Import({ params }: { params: { collectionId: string } }) {
  return (
    <CollectionGate
      collectionId={params.collectionId}
      heading="Import records"
      title={(collection) => (collection ? `Import into ${collection.name}` : 'Import')}
    >
      {(collection) => <ImportInto collection={collection} />}
    </CollectionGate>
  )
}

function ImportInto({ collection }: { collection: Collection }) {
  const [file, setFile] = useState<File | null>(null)
  const [format, setFormat] = useState<Format | 'auto'>('auto')
  const [atomic, setAtomic] = useState(false)
  const [report, setReport] = useState<ImportReport | null>(null)
  const { busy, error, run } = useAction()
  // An import stopped early (or atomic and refused) says in details.report what landed.
  const failedReport =
    error instanceof ApiError
      ? ((error.details as { report?: ImportReport } | undefined)?.report ?? null)
      : null
  const shownReport = report ?? failedReport
  const keys = collection.fields.map((f) => f.key).join(',')
  return (
    <>
      <h1>Import into {collection.name}</h1>
      <DataNav />
      <p>
        <Link href={`/collections/${collection.id}/records`}>Records of {collection.name}</Link>
      </p>
      <section className="panel" aria-labelledby="file-heading">
        <h2 id="file-heading">File</h2>
        <p>
          A CSV file has a header row of field keys (<code className="data-keys">{keys}</code>);
          NDJSON has one JSON object a line, JSON one array of objects, keyed the same way. Each row
          is checked like a new record.
        </p>
        <form
          onSubmit={(event) => {
            event.preventDefault()
            if (!file) return
            setReport(null)
            void run(async () => {
              const chosen = format === 'auto' ? formatOfName(file.name) : format
              const query = atomic ? '?atomic=true' : ''
              setReport(
                await apiUpload<ImportReport>(
                  `${collectionPath(collection.id)}/import${query}`,
                  file,
                  MEDIA_TYPES[chosen],
                ),
              )
            })
          }}
        >
          <div className="field">
            <label htmlFor="import-file">File to import</label>
            <input
              id="import-file"
              type="file"
              required
              accept=".csv,.ndjson,.jsonl,.json,text/csv,application/json,application/x-ndjson"
              onChange={(event) => setFile(event.target.files?.[0] ?? null)}
            />
          </div>
          <SelectField
            label="Format"
            value={format}
            onChange={(event) => setFormat(event.target.value as Format | 'auto')}
          >
            <option value="auto">From the file name (.csv, .ndjson, .json)</option>
            <option value="csv">CSV</option>
            <option value="ndjson">NDJSON</option>
            <option value="json">JSON array</option>
          </SelectField>
          <label className="choice">
            <input
              type="checkbox"
              checked={atomic}
              aria-describedby="atomic-hint"
              onChange={(event) => setAtomic(event.target.checked)}
            />
            All or nothing
          </label>
          <p id="atomic-hint" className="hint">
            Without it, valid rows are imported and rejected ones reported. With it, nothing is
            imported unless every row is valid.
          </p>
          {error && !failedReport ? (
            <p className="notice error" role="alert">
              {failureText(error)}
            </p>
          ) : null}
          <div className="actions">
            <SubmitButton busy={busy}>Import</SubmitButton>
          </div>
        </form>
      </section>
      {shownReport ? <Report report={shownReport} error={failedReport ? error : null} /> : null}
    </>
  )
}

/** The API's message, and for a file that cannot be read, the row and the reason. */
function failureText(error: unknown): string {
  const text = messageFor(error)
  if (!(error instanceof ApiError)) return text
  const details = error.details as { row?: unknown; reason?: unknown } | undefined
  if (typeof details?.reason !== 'string') return text
  const where = typeof details.row === 'number' ? ` Row ${details.row}:` : ''
  return `${text}${where} ${DATA_IMPORT_ISSUES[details.reason] ?? details.reason}`
}

function Report({ report, error }: { report: ImportReport; error: unknown }) {
  return (
    <section className="panel" aria-labelledby="report-heading">
      <h2 id="report-heading">Import report</h2>
      {error ? (
        <p className="notice error" role="alert">
          {failureText(error)}
        </p>
      ) : (
        <p className={`notice ${report.rejected > 0 ? 'warning' : 'success'}`} role="status">
          {report.imported} of {report.received} row(s) imported
          {report.rejected > 0 ? `, ${report.rejected} rejected` : ''}.
        </p>
      )}
      <dl className="facts">
        <dt>Rows read</dt>
        <dd>{report.received}</dd>
        <dt>Imported</dt>
        <dd>{report.imported}</dd>
        <dt>Rejected</dt>
        <dd>{report.rejected}</dd>
        <dt>Settled through row</dt>
        <dd>
          {report.settledThroughRow}
          <small className="hint">
            {' '}
            (every row up to it was imported or rejected; send the rows after it again)
          </small>
        </dd>
        <dt>All or nothing</dt>
        <dd>{report.atomic ? 'yes' : 'no'}</dd>
      </dl>
      {report.issues.length > 0 ? (
        <>
          <h3>Problems</h3>
          <Table caption="Import problems">
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Field</th>
                <th scope="col">Problem</th>
                <th scope="col">Meaning</th>
              </tr>
            </thead>
            <tbody>
              {report.issues.map((issue, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a row may have several issues, in order
                <tr key={index}>
                  <td>{issue.row}</td>
                  <td>{issue.field ?? 'the whole row'}</td>
                  <td>
                    <code>{issue.code}</code>
                  </td>
                  <td>{DATA_IMPORT_ISSUES[issue.code] ?? issue.message}</td>
                </tr>
              ))}
            </tbody>
          </Table>
          {report.issuesTruncated ? (
            <p className="hint">
              Only the first 1000 problems are listed; the counts are complete.
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  )
}
