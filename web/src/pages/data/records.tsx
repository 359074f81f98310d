// DATA-1: a collection's records. Columns from the schema, filters and sort on public and
// internal fields only (personal and sensitive values exist only encrypted, KMS-2), cursor
// paging, finding one person's records by the data-subject field (DATA-8), and creating,
// changing and deleting records (records.write; deletion is restorable, DATA-4).
import { useState } from 'react'
import { Link } from 'wouter'
import { api } from '../../api/client.ts'
import { usePaged } from '../../api/use-paged.ts'
import { ConfirmButton } from '../../components/confirm.tsx'
import { SelectField } from '../../components/forms.tsx'
import { PagedList } from '../../components/paged-list.tsx'
import { Table } from '../../components/table.tsx'
import { Field, formatDate, Success } from '../../components/ui.tsx'
import { useCan } from '../../session.tsx'
import { CollectionGate } from './collection-gate.tsx'
import { DataNav } from './data-nav.tsx'
import { ExportLinks } from './export-links.tsx'
import { RecordForm } from './record-form.tsx'
import {
  type Collection,
  collectionPath,
  type DataRecord,
  type FieldDefinition,
  type FieldType,
  isEncrypted,
  type Value,
} from './types.ts'

const OPERATORS = [
  ['eq', 'equals'],
  ['ne', 'differs from'],
  ['lt', 'below'],
  ['lte', 'at most'],
  ['gt', 'above'],
  ['gte', 'at least'],
  ['contains', 'contains'],
  ['in', 'is one of'],
  ['exists', 'has a value'],
  ['missing', 'has no value'],
] as const
type Operator = (typeof OPERATORS)[number][0]

/** The operators a field type takes (docs/data.md, Filters). */
function operatorsFor(type: FieldType): Operator[] {
  return OPERATORS.map(([op]) => op).filter((op) => {
    if (op === 'lt' || op === 'lte' || op === 'gt' || op === 'gte') {
      return ['text', 'email', 'number', 'date'].includes(type)
    }
    if (op === 'contains') return type === 'text' || type === 'email'
    if (op === 'in') return type !== 'boolean'
    return true
  })
}

const takesValue = (op: Operator) => op !== 'exists' && op !== 'missing'

interface Filter {
  field: string
  op: Operator
  value: string
}

interface Query {
  filters: Filter[]
  sort: string
  subject: string
}

function recordsPath(collectionId: string, query: Query): string {
  const params = new URLSearchParams()
  for (const f of query.filters) {
    params.append(
      'filter',
      takesValue(f.op) ? `${f.field}:${f.op}:${f.value}` : `${f.field}:${f.op}`,
    )
  }
  if (query.sort !== '-createdAt') params.set('sort', query.sort)
  if (query.subject !== '') params.set('subject', query.subject)
  const search = params.toString()
  return `${collectionPath(collectionId)}/records${search ? `?${search}` : ''}`
}

export function Records({ params }: { params: { collectionId: string } }) {
  return (
    <CollectionGate
      collectionId={params.collectionId}
      heading="Records"
      title={(collection) => (collection ? `Records of ${collection.name}` : 'Records')}
    >
      {(collection) => <RecordsOf collection={collection} />}
    </CollectionGate>
  )
}

function RecordsOf({ collection }: { collection: Collection }) {
  const can = useCan()
  const write = can('records.write')
  const [query, setQuery] = useState<Query>({ filters: [], sort: '-createdAt', subject: '' })
  const records = usePaged<DataRecord>(recordsPath(collection.id, query), 'records')
  const [editing, setEditing] = useState<DataRecord | 'new' | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const queryable = collection.fields.filter((f) => !isEncrypted(f))
  const subjectField = collection.fields.find((f) => f.key === collection.subjectField)
  return (
    <>
      <h1>Records of {collection.name}</h1>
      <DataNav />
      <p>
        <Link href={`/collections/${collection.id}`}>Schema of {collection.name}</Link>
        {can('records.import') ? (
          <>
            {' · '}
            <Link href={`/collections/${collection.id}/import`}>Import records</Link>
          </>
        ) : null}
      </p>
      {can('records.export') ? <ExportLinks collectionId={collection.id} /> : null}
      {notice ? <Success>{notice}</Success> : null}
      <section className="panel" aria-labelledby="find-heading">
        <h2 id="find-heading">Find records</h2>
        <Filters
          fields={queryable}
          query={query}
          onApply={(filters, sort) => setQuery({ ...query, filters, sort })}
        />
        {subjectField ? (
          <SubjectSearch
            field={subjectField}
            subject={query.subject}
            onFind={(subject) => setQuery({ ...query, subject })}
          />
        ) : null}
      </section>
      <section className="panel" aria-labelledby="records-heading">
        <h2 id="records-heading">Records</h2>
        {write ? (
          <div className="actions">
            <button type="button" className="primary" onClick={() => setEditing('new')}>
              New record
            </button>
          </div>
        ) : null}
        <PagedList
          list={records}
          loadingText="Loading records"
          empty={
            query.filters.length > 0 || query.subject !== ''
              ? 'No records match.'
              : 'No records yet.'
          }
          moreLabel="Load more"
        >
          {(items) => (
            <Table caption={`Records of ${collection.name}`}>
              <thead>
                <tr>
                  {collection.fields.map((f) => (
                    <th key={f.key} scope="col">
                      {f.label}
                    </th>
                  ))}
                  <th scope="col">Changed</th>
                  {write ? <th scope="col">Actions</th> : null}
                </tr>
              </thead>
              <tbody>
                {items.map((record, index) => (
                  <tr key={record.id}>
                    {collection.fields.map((f) => (
                      <td key={f.key}>{shown(f, record.values[f.key] ?? null)}</td>
                    ))}
                    <td>{formatDate(record.updatedAt)}</td>
                    {write ? (
                      <td>
                        <div className="data-cell-actions">
                          <button type="button" onClick={() => setEditing(record)}>
                            Change<span className="visually-hidden"> record {index + 1}</span>
                          </button>
                          <ConfirmButton
                            title="Delete this record?"
                            message={
                              <p>
                                It disappears from lists, dashboards and exports at once. An
                                administrator can restore it from Recently deleted until it is
                                purged.
                              </p>
                            }
                            confirmLabel="Delete the record"
                            onConfirm={async () => {
                              const { purgeAfter } = await api<{ purgeAfter: string }>(
                                'DELETE',
                                `${collectionPath(collection.id)}/records/${encodeURIComponent(record.id)}`,
                              )
                              setNotice(
                                `Record deleted. It can be restored until ${formatDate(purgeAfter)}.`,
                              )
                              records.reload()
                            }}
                          >
                            Delete<span className="visually-hidden"> record {index + 1}</span>
                          </ConfirmButton>
                        </div>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </PagedList>
      </section>
      {editing ? (
        <RecordForm
          collection={collection}
          record={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setNotice(editing === 'new' ? 'Record created.' : 'Record saved.')
            setEditing(null)
            records.reload()
          }}
        />
      ) : null}
    </>
  )
}

function shown(field: FieldDefinition, value: Value): string {
  if (value === null) return '—'
  if (field.type === 'boolean') return value ? 'yes' : 'no'
  return String(value)
}

function Filters({
  fields,
  query,
  onApply,
}: {
  fields: FieldDefinition[]
  query: Query
  onApply(filters: Filter[], sort: string): void
}) {
  const [filters, setFilters] = useState<Filter[]>(query.filters)
  const [sort, setSort] = useState(query.sort)
  const first = fields[0]
  const update = (index: number, change: Partial<Filter>) =>
    setFilters(filters.map((f, i) => (i === index ? { ...f, ...change } : f)))
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault()
        onApply(filters, sort)
      }}
    >
      {fields.length === 0 ? (
        <p className="hint">
          Every field of this collection is personal or sensitive, stored encrypted: records cannot
          be filtered or sorted on them.
        </p>
      ) : (
        <p className="hint">
          Only public and internal fields can be filtered and sorted on: personal and sensitive
          values are stored encrypted.
        </p>
      )}
      {filters.map((filter, index) => {
        const field = fields.find((f) => f.key === filter.field) ?? first
        const ops = field ? operatorsFor(field.type) : []
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: filters being written have only their place
          <fieldset key={index} className="data-filter">
            <legend>Filter {index + 1}</legend>
            <SelectField
              label="Field"
              value={filter.field}
              onChange={(event) => {
                const next = fields.find((f) => f.key === event.target.value)
                const op = next && operatorsFor(next.type).includes(filter.op) ? filter.op : 'eq'
                update(index, { field: event.target.value, op })
              }}
            >
              {fields.map((f) => (
                <option key={f.key} value={f.key}>
                  {f.label}
                </option>
              ))}
            </SelectField>
            <SelectField
              label="Condition"
              value={filter.op}
              onChange={(event) => update(index, { op: event.target.value as Operator })}
            >
              {OPERATORS.filter(([op]) => ops.includes(op)).map(([op, label]) => (
                <option key={op} value={op}>
                  {label}
                </option>
              ))}
            </SelectField>
            {takesValue(filter.op) && field ? (
              <FilterValue
                field={field}
                op={filter.op}
                value={filter.value}
                onChange={(value) => update(index, { value })}
              />
            ) : null}
            <button type="button" onClick={() => setFilters(filters.filter((_, i) => i !== index))}>
              Remove filter {index + 1}
            </button>
          </fieldset>
        )
      })}
      {first ? (
        <div className="actions data-add-filter">
          <button
            type="button"
            onClick={() => setFilters([...filters, { field: first.key, op: 'eq', value: '' }])}
          >
            Add a filter
          </button>
        </div>
      ) : null}
      <SelectField label="Sort by" value={sort} onChange={(event) => setSort(event.target.value)}>
        <option value="-createdAt">Newest first</option>
        <option value="createdAt">Oldest first</option>
        <option value="-updatedAt">Recently changed first</option>
        {fields.flatMap((f) => [
          <option key={f.key} value={f.key}>
            {f.label}, ascending
          </option>,
          <option key={`-${f.key}`} value={`-${f.key}`}>
            {f.label}, descending
          </option>,
        ])}
      </SelectField>
      <div className="actions">
        <button type="submit" className="primary">
          Apply
        </button>
      </div>
    </form>
  )
}

function FilterValue({
  field,
  op,
  value,
  onChange,
}: {
  field: FieldDefinition
  op: Operator
  value: string
  onChange(value: string): void
}) {
  if (field.type === 'boolean') {
    return (
      <SelectField label="Value" value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">Choose…</option>
        <option value="true">Yes</option>
        <option value="false">No</option>
      </SelectField>
    )
  }
  if (op === 'in') {
    return (
      <Field
        label="Values"
        hint="Separated by commas; write \, for a comma inside a value."
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
    )
  }
  const type = field.type === 'number' ? 'number' : field.type === 'date' ? 'date' : 'text'
  return (
    <Field
      label="Value"
      type={type}
      value={value}
      {...(field.type === 'number' ? { step: 'any' } : {})}
      onChange={(event) => onChange(event.target.value)}
    />
  )
}

function SubjectSearch({
  field,
  subject,
  onFind,
}: {
  field: FieldDefinition
  subject: string
  onFind(subject: string): void
}) {
  const [value, setValue] = useState(subject)
  return (
    <form
      className="data-subject-search"
      aria-labelledby="subject-heading"
      onSubmit={(event) => {
        event.preventDefault()
        onFind(value.trim())
      }}
    >
      <h3 id="subject-heading">One person's records</h3>
      <Field
        label={`Find a person's records by ${field.label}`}
        hint="The exact value; it is compared through an index that reveals only equality."
        type={field.type === 'email' ? 'email' : 'text'}
        value={value}
        onChange={(event) => setValue(event.target.value)}
      />
      <div className="actions">
        <button type="submit">Find</button>
        {subject !== '' ? (
          <button
            type="button"
            onClick={() => {
              setValue('')
              onFind('')
            }}
          >
            Show all records
          </button>
        ) : null}
      </div>
    </form>
  )
}
