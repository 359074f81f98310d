// DATA-1: one field definition being written: key, label, type, classification (KMS-2, explained
// in a hint), required, and the options of an enum. Used to create a collection, add a field and
// change one; the API holds the rules (a kept field's type and classification never change).
import { SelectField, TextAreaField } from '../../components/forms.tsx'
import { Field } from '../../components/ui.tsx'
import {
  CLASSIFICATIONS,
  type Classification,
  FIELD_TYPES,
  type FieldDefinition,
  type FieldType,
} from './types.ts'

export interface FieldDraft {
  key: string
  label: string
  type: FieldType
  classification: Classification
  required: boolean
  /** Enum options, one a line. */
  options: string
}

export const TYPE_LABELS: Record<FieldType, string> = {
  text: 'Text',
  number: 'Number',
  boolean: 'Yes / no',
  date: 'Date',
  email: 'E-mail address',
  enum: 'One of a list',
}

export const CLASSIFICATION_HINT =
  'Public and internal values can be filtered, sorted and used in dashboards. Personal and sensitive values are stored encrypted (KMS-2): they cannot be filtered or sorted on.'

export function emptyDraft(): FieldDraft {
  return {
    key: '',
    label: '',
    type: 'text',
    classification: 'internal',
    required: false,
    options: '',
  }
}

export function draftOf(field: FieldDefinition): FieldDraft {
  return {
    key: field.key,
    label: field.label,
    type: field.type,
    classification: field.classification,
    required: field.required,
    options: (field.options ?? []).join('\n'),
  }
}

/** The definition the API takes; options only for enums, blank lines dropped. */
export function definitionOf(draft: FieldDraft): FieldDefinition {
  const field: FieldDefinition = {
    key: draft.key.trim(),
    label: draft.label,
    type: draft.type,
    classification: draft.classification,
    required: draft.required,
  }
  if (draft.type === 'enum') {
    field.options = draft.options
      .split('\n')
      .map((o) => o.trim())
      .filter((o) => o !== '')
  }
  return field
}

/** A key suggested from the label while the key is still empty: lower case, `_` between words. */
export function keyFromLabel(label: string): string {
  const key = label
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '')
  return key.slice(0, 63)
}

interface FieldEditorProps {
  legend: string
  draft: FieldDraft
  onChange(draft: FieldDraft): void
  /** A kept field's key is its identity: it cannot be edited. */
  keyFixed?: boolean
}

export function FieldEditor({ legend, draft, onChange, keyFixed = false }: FieldEditorProps) {
  const set = (change: Partial<FieldDraft>) => onChange({ ...draft, ...change })
  return (
    <fieldset className="data-field-editor">
      <legend>{legend}</legend>
      <Field
        label="Label"
        value={draft.label}
        required
        maxLength={100}
        onChange={(event) => {
          const label = event.target.value
          // The key follows the label until someone types a key of their own.
          const follows = !keyFixed && draft.key === keyFromLabel(draft.label)
          set(follows ? { label, key: keyFromLabel(label) } : { label })
        }}
      />
      <Field
        label="Key"
        hint="The machine name used by the API, filters, imports and exports: a lower-case letter, then lower-case letters, digits and _."
        value={draft.key}
        required
        readOnly={keyFixed}
        pattern="[a-z][a-z0-9_]{0,62}"
        autoCapitalize="off"
        spellCheck={false}
        onChange={(event) => set({ key: event.target.value })}
      />
      <SelectField
        label="Type"
        value={draft.type}
        onChange={(event) => set({ type: event.target.value as FieldType })}
      >
        {FIELD_TYPES.map((type) => (
          <option key={type} value={type}>
            {TYPE_LABELS[type]}
          </option>
        ))}
      </SelectField>
      {draft.type === 'enum' ? (
        <TextAreaField
          label="Options"
          hint="One option a line."
          value={draft.options}
          required
          rows={3}
          onChange={(event) => set({ options: event.target.value })}
        />
      ) : null}
      <SelectField
        label="Classification"
        hint={CLASSIFICATION_HINT}
        value={draft.classification}
        onChange={(event) => set({ classification: event.target.value as Classification })}
      >
        {CLASSIFICATIONS.map((c) => (
          <option key={c} value={c}>
            {c[0]?.toUpperCase()}
            {c.slice(1)}
            {c === 'personal' || c === 'sensitive' ? ' (encrypted)' : ''}
          </option>
        ))}
      </SelectField>
      <label className="choice">
        <input
          type="checkbox"
          checked={draft.required}
          onChange={(event) => set({ required: event.target.checked })}
        />
        Required
      </label>
    </fieldset>
  )
}

/** A classification as a badge; encrypted ones say so. */
export function ClassificationBadge({ classification }: { classification: Classification }) {
  const encrypted = classification === 'personal' || classification === 'sensitive'
  return (
    <span className={`badge data-class data-class-${classification}`}>
      {classification}
      {encrypted ? ', encrypted' : ''}
    </span>
  )
}
