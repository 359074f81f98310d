// DATA-1: the collections list and the form that defines a new one (data.manage). Others see only
// the collections granted to one of their groups (AUTHZ-2), read-only.
import { useState } from 'react'
import { Link, useLocation } from 'wouter'
import { api } from '../../api/client.ts'
import { useCollections } from '../../api/collections.ts'
import { SelectField, TextAreaField } from '../../components/forms.tsx'
import { useTitle } from '../../components/shell.tsx'
import { Table } from '../../components/table.tsx'
import {
  Empty,
  ErrorMessage,
  Field,
  Loading,
  SubmitButton,
  useAction,
} from '../../components/ui.tsx'
import { useCan } from '../../session.tsx'
import { DataNav } from './data-nav.tsx'
import { definitionOf, emptyDraft, type FieldDraft, FieldEditor } from './field-editor.tsx'
import { type Collection, canBeSubject } from './types.ts'

export function Collections() {
  useTitle('Data')
  const can = useCan()
  const manage = can('data.manage')
  const { data, error, loading } = useCollections()
  const collections = data?.collections ?? []
  return (
    <>
      <h1>Data</h1>
      <DataNav />
      <section className="panel" aria-labelledby="collections-heading">
        <h2 id="collections-heading">Collections</h2>
        {manage ? null : (
          <p className="hint">You see the collections shared with one of your groups.</p>
        )}
        <ErrorMessage error={error} />
        {loading && !data ? <Loading what="Loading collections" /> : null}
        {data && collections.length === 0 ? (
          <Empty>
            {manage
              ? 'No collections yet. Define the first one below.'
              : 'No collection is shared with you yet.'}
          </Empty>
        ) : null}
        {collections.length > 0 ? (
          <Table caption="Collections">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Fields</th>
                <th scope="col">Schema version</th>
                <th scope="col">Records</th>
              </tr>
            </thead>
            <tbody>
              {collections.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link href={`/collections/${c.id}`}>{c.name}</Link>
                    {c.description ? (
                      <>
                        <br />
                        <small className="hint">{c.description}</small>
                      </>
                    ) : null}
                  </td>
                  <td>{c.fields.length}</td>
                  <td>{c.schemaVersion}</td>
                  <td>
                    <Link href={`/collections/${c.id}/records`}>
                      Records<span className="visually-hidden"> of {c.name}</span>
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : null}
      </section>
      {manage ? <CreateCollection /> : null}
    </>
  )
}

function CreateCollection() {
  const [, navigate] = useLocation()
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [drafts, setDrafts] = useState<FieldDraft[]>([emptyDraft()])
  const [subject, setSubject] = useState('')
  const { busy, error, run } = useAction()
  const subjectChoices = drafts.filter((d) => d.key.trim() !== '' && canBeSubject(d))
  // A subject choice that stopped qualifying (its classification or type changed) is dropped.
  const subjectField = subjectChoices.some((d) => d.key.trim() === subject) ? subject : ''
  return (
    <section className="panel" aria-labelledby="create-heading">
      <h2 id="create-heading">New collection</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          void run(async () => {
            const created = await api<Collection>('POST', '/api/v1/collections', {
              name,
              description: description.trim() === '' ? null : description,
              fields: drafts.map(definitionOf),
              subjectField: subjectField === '' ? null : subjectField,
            })
            navigate(`/collections/${created.id}`)
          })
        }}
      >
        <Field
          label="Collection name"
          value={name}
          required
          maxLength={100}
          onChange={(event) => setName(event.target.value)}
        />
        <TextAreaField
          label="Description"
          hint="Optional, at most 500 characters."
          value={description}
          maxLength={500}
          rows={2}
          onChange={(event) => setDescription(event.target.value)}
        />
        {drafts.map((draft, index) => (
          // Fields being written have no identity but their place.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <div key={index} className="data-field-row">
            <FieldEditor
              legend={`Field ${index + 1}`}
              draft={draft}
              onChange={(next) => setDrafts(drafts.map((d, i) => (i === index ? next : d)))}
            />
            {drafts.length > 1 ? (
              <button type="button" onClick={() => setDrafts(drafts.filter((_, i) => i !== index))}>
                Remove field {index + 1}
              </button>
            ) : null}
          </div>
        ))}
        <div className="actions">
          <button type="button" onClick={() => setDrafts([...drafts, emptyDraft()])}>
            Add another field
          </button>
        </div>
        <SelectField
          label="Data-subject field"
          hint="The field that names the person a record is about, to find all of their records. Only a personal or sensitive text or e-mail field can be one."
          value={subjectField}
          onChange={(event) => setSubject(event.target.value)}
        >
          <option value="">None</option>
          {subjectChoices.map((d) => (
            <option key={d.key} value={d.key.trim()}>
              {d.label || d.key}
            </option>
          ))}
        </SelectField>
        <ErrorMessage error={error} />
        <div className="actions">
          <SubmitButton busy={busy}>Create collection</SubmitButton>
        </div>
      </form>
    </section>
  )
}
