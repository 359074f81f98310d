// DATA-1: one collection's schema. Fields with their classification badges (KMS-2), the version
// history, adding, changing and removing fields, renaming, and deleting the collection (DATA-4).
// The API decides what may change: a kept field's type and classification never do, and its
// refusal is shown as it comes.
import { useState } from 'react'
import { Link, useLocation } from 'wouter'
import { api } from '../../api/client.ts'
import { useApi } from '../../api/use-api.ts'
import { ConfirmButton } from '../../components/confirm.tsx'
import { TextAreaField } from '../../components/forms.tsx'
import { Modal } from '../../components/modal.tsx'
import { Table } from '../../components/table.tsx'
import {
  Empty,
  ErrorMessage,
  Field,
  formatDate,
  Loading,
  SubmitButton,
  Success,
  useAction,
} from '../../components/ui.tsx'
import { useCan } from '../../session.tsx'
import { CollectionGate } from './collection-gate.tsx'
import { DataNav } from './data-nav.tsx'
import { ExportLinks } from './export-links.tsx'
import {
  ClassificationBadge,
  definitionOf,
  draftOf,
  emptyDraft,
  type FieldDraft,
  FieldEditor,
  TYPE_LABELS,
} from './field-editor.tsx'
import {
  type Collection,
  canBeSubject,
  collectionPath,
  type FieldDefinition,
  type SchemaVersion,
} from './types.ts'

export function CollectionScreen({ params }: { params: { collectionId: string } }) {
  return (
    <CollectionGate
      collectionId={params.collectionId}
      heading="Collection"
      title={(collection) => (collection ? collection.name : 'Collection')}
    >
      {(collection, { error, reload }) => (
        <CollectionOf collection={collection} error={error} reload={reload} />
      )}
    </CollectionGate>
  )
}

function CollectionOf({
  collection,
  error,
  reload,
}: {
  collection: Collection
  error: unknown
  reload(): void
}) {
  const [notice, setNotice] = useState<string | null>(null)
  const can = useCan()
  const manage = can('data.manage')
  const changed = (message: string) => {
    setNotice(message)
    reload()
  }
  return (
    <>
      <h1>{collection.name}</h1>
      <DataNav />
      {notice ? <Success>{notice}</Success> : null}
      <ErrorMessage error={error} />
      <section className="panel" aria-labelledby="about-heading">
        <h2 id="about-heading">About</h2>
        <dl className="facts">
          <dt>Description</dt>
          <dd>{collection.description ?? 'none'}</dd>
          <dt>Schema version</dt>
          <dd>{collection.schemaVersion}</dd>
          <dt>Data-subject field</dt>
          <dd>{subjectLabel(collection)}</dd>
          <dt>Created</dt>
          <dd>{formatDate(collection.createdAt)}</dd>
          <dt>Changed</dt>
          <dd>{formatDate(collection.updatedAt)}</dd>
        </dl>
        <div className="actions">
          <Link className="button" href={`/collections/${collection.id}/records`}>
            Records
          </Link>
          {can('records.import') ? (
            <Link className="button" href={`/collections/${collection.id}/import`}>
              Import
            </Link>
          ) : null}
        </div>
        {can('records.export') ? <ExportLinks collectionId={collection.id} /> : null}
        {manage ? (
          <Rename collection={collection} onDone={() => changed('Collection saved.')} />
        ) : null}
      </section>
      <Fields collection={collection} manage={manage} onChanged={changed} />
      {manage ? <AddField collection={collection} onDone={changed} /> : null}
      {/* Keyed by version: a schema change reads the history again. */}
      <Versions key={collection.schemaVersion} collectionId={collection.id} />
      {manage ? <DeleteCollection collection={collection} /> : null}
    </>
  )
}

function subjectLabel(collection: Collection): string {
  const field = collection.fields.find((f) => f.key === collection.subjectField)
  return field ? `${field.label} (${field.key})` : 'none'
}

/** A PATCH of the field list, made against the version on screen (DATA_SCHEMA_VERSION_CONFLICT). */
function changeFields(
  collection: Collection,
  fields: FieldDefinition[],
  subjectField?: string | null,
): Promise<Collection> {
  return api<Collection>('PATCH', collectionPath(collection.id), {
    fields,
    expectedVersion: collection.schemaVersion,
    ...(subjectField === undefined ? {} : { subjectField }),
  })
}

function Rename({ collection, onDone }: { collection: Collection; onDone(): void }) {
  const [open, setOpen] = useState(false)
  const [name, setName] = useState(collection.name)
  const [description, setDescription] = useState(collection.description ?? '')
  const { busy, error, setError, run } = useAction()
  return (
    <>
      <div className="actions">
        <button
          type="button"
          onClick={() => {
            setName(collection.name)
            setDescription(collection.description ?? '')
            setError(null)
            setOpen(true)
          }}
        >
          Rename or describe
        </button>
      </div>
      <Modal open={open} title="Rename or describe" onClose={() => setOpen(false)}>
        <form
          onSubmit={(event) => {
            event.preventDefault()
            void run(async () => {
              await api('PATCH', collectionPath(collection.id), {
                name,
                description: description.trim() === '' ? null : description,
              })
              setOpen(false)
              onDone()
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
            value={description}
            maxLength={500}
            rows={3}
            onChange={(event) => setDescription(event.target.value)}
          />
          <ErrorMessage error={error} />
          <div className="actions">
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <SubmitButton busy={busy}>Save</SubmitButton>
          </div>
        </form>
      </Modal>
    </>
  )
}

function Fields({
  collection,
  manage,
  onChanged,
}: {
  collection: Collection
  manage: boolean
  onChanged(message: string): void
}) {
  const [editing, setEditing] = useState<FieldDefinition | null>(null)
  return (
    <section className="panel" aria-labelledby="fields-heading">
      <h2 id="fields-heading">Fields</h2>
      <Table caption="Fields">
        <thead>
          <tr>
            <th scope="col">Label</th>
            <th scope="col">Key</th>
            <th scope="col">Type</th>
            <th scope="col">Classification</th>
            <th scope="col">Required</th>
            {manage ? <th scope="col">Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {collection.fields.map((field) => (
            <tr key={field.key}>
              <td>
                {field.label}
                {field.key === collection.subjectField ? (
                  <span className="badge">data subject</span>
                ) : null}
              </td>
              <td>
                <code>{field.key}</code>
              </td>
              <td>
                {TYPE_LABELS[field.type]}
                {field.options ? (
                  <small className="hint"> ({field.options.join(', ')})</small>
                ) : null}
              </td>
              <td>
                <ClassificationBadge classification={field.classification} />
              </td>
              <td>{field.required ? 'yes' : 'no'}</td>
              {manage ? (
                <td>
                  <div className="data-cell-actions">
                    <button type="button" onClick={() => setEditing(field)}>
                      Change<span className="visually-hidden"> {field.label}</span>
                    </button>
                    {collection.fields.length > 1 ? (
                      <ConfirmButton
                        title={`Remove the field ${field.label}?`}
                        message={
                          <p>
                            Its values are removed from every record of this collection, deleted
                            ones included; restoring a record will not bring them back.
                            {field.key === collection.subjectField
                              ? ' It is the data-subject field: finding records by subject stops.'
                              : ''}
                          </p>
                        }
                        confirmLabel="Remove the field"
                        onConfirm={async () => {
                          await changeFields(
                            collection,
                            collection.fields.filter((f) => f.key !== field.key),
                          )
                          onChanged(`The field ${field.label} was removed.`)
                        }}
                      >
                        Remove<span className="visually-hidden"> {field.label}</span>
                      </ConfirmButton>
                    ) : null}
                  </div>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </Table>
      {editing ? (
        <ChangeField
          collection={collection}
          field={editing}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null)
            onChanged(`The field ${editing.label} was changed.`)
          }}
        />
      ) : null}
    </section>
  )
}

function ChangeField({
  collection,
  field,
  onClose,
  onDone,
}: {
  collection: Collection
  field: FieldDefinition
  onClose(): void
  onDone(): void
}) {
  const [draft, setDraft] = useState<FieldDraft>(draftOf(field))
  const { busy, error, run } = useAction()
  return (
    <Modal open title={`Change the field ${field.label}`} onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          void run(async () => {
            const next = definitionOf(draft)
            await changeFields(
              collection,
              collection.fields.map((f) => (f.key === field.key ? next : f)),
            )
            onDone()
          })
        }}
      >
        <p className="hint">
          The type and classification of a field never change once it exists: add a new field
          instead.
        </p>
        <FieldEditor legend="Field" draft={draft} onChange={setDraft} keyFixed />
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <SubmitButton busy={busy}>Save the field</SubmitButton>
        </div>
      </form>
    </Modal>
  )
}

function AddField({
  collection,
  onDone,
}: {
  collection: Collection
  onDone(message: string): void
}) {
  const [draft, setDraft] = useState<FieldDraft>(emptyDraft())
  const [asSubject, setAsSubject] = useState(false)
  const [formKey, setFormKey] = useState(0)
  const { busy, error, run } = useAction()
  const subjectAllowed = canBeSubject(draft)
  return (
    <section className="panel" aria-labelledby="add-field-heading">
      <h2 id="add-field-heading">Add a field</h2>
      <form
        key={formKey}
        onSubmit={(event) => {
          event.preventDefault()
          void run(async () => {
            const field = definitionOf(draft)
            await changeFields(
              collection,
              [...collection.fields, field],
              subjectAllowed && asSubject ? field.key : undefined,
            )
            setDraft(emptyDraft())
            setAsSubject(false)
            setFormKey((k) => k + 1)
            onDone(`The field ${field.label} was added.`)
          })
        }}
      >
        <FieldEditor legend="New field" draft={draft} onChange={setDraft} />
        {subjectAllowed ? (
          <label className="choice">
            <input
              type="checkbox"
              checked={asSubject}
              onChange={(event) => setAsSubject(event.target.checked)}
            />
            Make it the data-subject field
          </label>
        ) : null}
        <ErrorMessage error={error} />
        <div className="actions">
          <SubmitButton busy={busy}>Add the field</SubmitButton>
        </div>
      </form>
    </section>
  )
}

function Versions({ collectionId }: { collectionId: string }) {
  const { data, error, loading } = useApi<{ versions: SchemaVersion[] }>(
    `${collectionPath(collectionId)}/versions`,
  )
  return (
    <section className="panel" aria-labelledby="versions-heading">
      <h2 id="versions-heading">Schema history</h2>
      <ErrorMessage error={error} />
      {loading && !data ? <Loading what="Loading the history" /> : null}
      {data?.versions.length === 0 ? <Empty>No versions.</Empty> : null}
      {data && data.versions.length > 0 ? (
        <Table caption="Schema versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">When</th>
              <th scope="col">Fields</th>
              <th scope="col">Data subject</th>
            </tr>
          </thead>
          <tbody>
            {data.versions.map((v) => (
              <tr key={v.version}>
                <td>{v.version}</td>
                <td>{formatDate(v.changedAt)}</td>
                <td>{v.fields.map((f) => f.key).join(', ')}</td>
                <td>{v.subjectField ?? 'none'}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
    </section>
  )
}

function DeleteCollection({ collection }: { collection: Collection }) {
  const [, navigate] = useLocation()
  return (
    <section className="panel" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete the collection</h2>
      <p>
        A deleted collection and its records disappear from every list, dashboard and export. It can
        be restored from Recently deleted until it is purged.
      </p>
      <ConfirmButton
        title={`Delete ${collection.name}?`}
        message={
          <p>
            The collection and all its records are locked at once and purged for good after the lock
            period.
          </p>
        }
        confirmLabel="Delete the collection"
        onConfirm={async () => {
          await api('DELETE', collectionPath(collection.id))
          navigate('/recently-deleted')
        }}
      >
        Delete the collection
      </ConfirmButton>
    </section>
  )
}
