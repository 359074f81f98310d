// DATA-1: a record's values as typed inputs, one per field of the schema: text, number, yes/no,
// date, e-mail, one of a list. The API checks every value (422 DATA_VALUE_INVALID naming each
// field at fault); this only gives each type the right control.
import { useState } from 'react'
import { ApiError, api } from '../../api/client.ts'
import { SelectField } from '../../components/forms.tsx'
import { Modal } from '../../components/modal.tsx'
import { ErrorMessage, Field, SubmitButton, useAction } from '../../components/ui.tsx'
import {
  type Collection,
  collectionPath,
  type DataRecord,
  type FieldDefinition,
  isEncrypted,
  type Value,
} from './types.ts'

type Inputs = Record<string, string>

function inputOf(value: Value | undefined): string {
  if (value === null || value === undefined) return ''
  return String(value)
}

/** The typed value of an input; an empty one is no value. */
function typedValue(field: FieldDefinition, input: string): Value {
  if (input === '' || (field.type !== 'text' && input.trim() === '')) return null
  if (field.type === 'number') {
    const n = Number(input)
    // A number that does not parse goes as typed, so the API names the field (wrong_type).
    return Number.isFinite(n) ? n : input
  }
  if (field.type === 'boolean') return input === 'true'
  return input
}

interface IssueDetails {
  issues?: { field?: unknown; message?: unknown }[]
}

/** DATA_VALUE_INVALID lists every problem by field: each is shown next to the message. */
function issuesOf(error: unknown, fields: FieldDefinition[]): string[] {
  if (!(error instanceof ApiError) || error.code !== 'DATA_VALUE_INVALID') return []
  const issues = (error.details as IssueDetails | undefined)?.issues ?? []
  return issues.map((issue) => {
    const field = fields.find((f) => f.key === issue.field)
    const name = field ? field.label : String(issue.field ?? 'record')
    return `${name}: ${typeof issue.message === 'string' ? issue.message : 'not valid'}`
  })
}

interface RecordFormProps {
  collection: Collection
  /** The record being changed; none to create one. */
  record: DataRecord | null
  onClose(): void
  onSaved(record: DataRecord): void
}

export function RecordForm({ collection, record, onClose, onSaved }: RecordFormProps) {
  const initial: Inputs = Object.fromEntries(
    collection.fields.map((f) => [f.key, inputOf(record?.values[f.key])]),
  )
  const [inputs, setInputs] = useState<Inputs>(initial)
  const { busy, error, run } = useAction()
  const issues = issuesOf(error, collection.fields)
  const title = record ? 'Change the record' : 'New record'
  return (
    <Modal open title={title} onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          void run(async () => {
            const values: Record<string, Value> = {}
            for (const field of collection.fields) {
              const input = inputs[field.key] ?? ''
              if (record) {
                // Only what changed is sent; a cleared field becomes null.
                if (input !== initial[field.key]) values[field.key] = typedValue(field, input)
              } else if (input !== '') {
                values[field.key] = typedValue(field, input)
              }
            }
            const saved = record
              ? await api<DataRecord>(
                  'PATCH',
                  `${collectionPath(collection.id)}/records/${encodeURIComponent(record.id)}`,
                  { values, expectedRevision: record.revision },
                )
              : await api<DataRecord>('POST', `${collectionPath(collection.id)}/records`, {
                  values,
                })
            onSaved(saved)
          })
        }}
      >
        {collection.fields.map((field) => (
          <ValueInput
            key={field.key}
            field={field}
            value={inputs[field.key] ?? ''}
            onChange={(value) => setInputs({ ...inputs, [field.key]: value })}
          />
        ))}
        <ErrorMessage error={error} />
        {issues.length > 0 ? (
          <ul className="data-issues">
            {issues.map((issue) => (
              <li key={issue}>{issue}</li>
            ))}
          </ul>
        ) : null}
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <SubmitButton busy={busy}>
            {record ? 'Save the record' : 'Create the record'}
          </SubmitButton>
        </div>
      </form>
    </Modal>
  )
}

function ValueInput({
  field,
  value,
  onChange,
}: {
  field: FieldDefinition
  value: string
  onChange(value: string): void
}) {
  const label = field.required ? `${field.label} (required)` : field.label
  const hint = isEncrypted(field) ? `${field.classification}: stored encrypted` : undefined
  if (field.type === 'boolean' || field.type === 'enum') {
    const options = field.type === 'boolean' ? ['true', 'false'] : (field.options ?? [])
    return (
      <SelectField
        label={label}
        hint={hint}
        value={value}
        required={field.required}
        onChange={(event) => onChange(event.target.value)}
      >
        <option value="">No value</option>
        {/* An option removed from the schema still shows on a record that has it. */}
        {value !== '' && !options.includes(value) ? <option value={value}>{value}</option> : null}
        {options.map((option) => (
          <option key={option} value={option}>
            {field.type === 'boolean' ? (option === 'true' ? 'Yes' : 'No') : option}
          </option>
        ))}
      </SelectField>
    )
  }
  const type = { text: 'text', number: 'number', date: 'date', email: 'email' }[field.type]
  return (
    <Field
      label={label}
      hint={hint}
      type={type}
      value={value}
      required={field.required}
      {...(field.type === 'number' ? { step: 'any' } : {})}
      {...(field.type === 'text' ? { maxLength: 10_000 } : {})}
      onChange={(event) => onChange(event.target.value)}
    />
  )
}
