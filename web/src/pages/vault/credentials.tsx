// KMS-3: the credentials vault for holders of vault.manage: third-party credentials listed by
// name with their metadata, stored, given a new secret, deleted. Write-only: no screen reads a
// secret back (the API has no route that returns one), and typed secrets are gone after saving.
import { type FormEvent, useState } from 'react'
import { api } from '../../api/client.ts'
import { usePaged } from '../../api/use-paged.ts'
import { ConfirmButton } from '../../components/confirm.tsx'
import { SelectField } from '../../components/forms.tsx'
import { Modal } from '../../components/modal.tsx'
import { PagedList } from '../../components/paged-list.tsx'
import { useTitle } from '../../components/shell.tsx'
import { Table } from '../../components/table.tsx'
import {
  ErrorMessage,
  Field,
  formatDate,
  SubmitButton,
  Success,
  useAction,
} from '../../components/ui.tsx'
import { type CredentialKind, KINDS, kindInfo } from './kinds.ts'
import { SecretFields, secretFrom } from './secret-fields.tsx'
import type { Credential } from './types.ts'
import './vault.css'

export function Credentials() {
  useTitle('Credentials')
  const list = usePaged<Credential>('/api/v1/credentials?limit=50', 'credentials')
  const [creating, setCreating] = useState(false)
  const [replacing, setReplacing] = useState<Credential | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const done = (message: string) => {
    setNotice(message)
    list.reload()
  }
  return (
    <>
      <h1>Credentials</h1>
      <p>
        Passwords, keys and client secrets your organisation&apos;s connections use. They are stored
        encrypted and are write-only: once saved, nobody can read a secret back here, only replace
        it.
      </p>
      {notice ? <Success>{notice}</Success> : null}
      <div className="actions">
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          Add a credential
        </button>
      </div>
      <section className="panel vault-list" aria-labelledby="credentials-heading">
        <h2 id="credentials-heading">Stored credentials</h2>
        <PagedList
          list={list}
          loadingText="Reading the vault"
          empty="No credentials yet."
          moreLabel="Show more"
        >
          {(items) => (
            <Table caption="Stored credentials, by name">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Secret fields</th>
                  <th scope="col">Version</th>
                  <th scope="col">Created</th>
                  <th scope="col">Secret replaced</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {items.map((c) => (
                  <tr key={c.id}>
                    <td>{c.name}</td>
                    <td>{kindInfo(c.kind).label}</td>
                    <td>{c.fields.join(', ')}</td>
                    <td>{c.secretVersion}</td>
                    <td>{formatDate(c.createdAt)}</td>
                    <td>{c.secretVersion > 1 ? formatDate(c.updatedAt) : 'not yet'}</td>
                    <td>{formatDate(c.lastUsedAt)}</td>
                    <td>
                      <div className="vault-actions">
                        <button
                          type="button"
                          aria-label={`Replace secret of ${c.name}`}
                          onClick={() => setReplacing(c)}
                        >
                          Replace secret
                        </button>
                        <ConfirmButton
                          title={`Delete ${c.name}?`}
                          message={
                            <p>
                              The credential and its secret are deleted for good. Anything that uses
                              it stops working.
                            </p>
                          }
                          confirmLabel="Delete credential"
                          onConfirm={async () => {
                            await api('DELETE', `/api/v1/credentials/${encodeURIComponent(c.id)}`)
                            done(`${c.name} was deleted.`)
                          }}
                        >
                          Delete
                        </ConfirmButton>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </PagedList>
      </section>
      <Modal open={creating} title="Add a credential" onClose={() => setCreating(false)}>
        <CreateForm
          onCancel={() => setCreating(false)}
          onSaved={(c) => {
            setCreating(false)
            done(`${c.name} is stored. Its secret cannot be read back, only replaced.`)
          }}
        />
      </Modal>
      <Modal
        open={replacing !== null}
        title={replacing ? `Replace the secret of ${replacing.name}` : 'Replace a secret'}
        onClose={() => setReplacing(null)}
      >
        {replacing ? (
          <ReplaceForm
            credential={replacing}
            onCancel={() => setReplacing(null)}
            onSaved={(c) => {
              setReplacing(null)
              done(`The secret of ${c.name} was replaced (version ${c.secretVersion}).`)
            }}
          />
        ) : null}
      </Modal>
    </>
  )
}

function CreateForm({
  onCancel,
  onSaved,
}: {
  onCancel(): void
  onSaved(credential: Credential): void
}) {
  const [name, setName] = useState('')
  const [kind, setKind] = useState<CredentialKind>('api_key')
  const { busy, error, run } = useAction()
  const info = kindInfo(kind)
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = event.currentTarget
    void run(async () => {
      const created = await api<Credential>('POST', '/api/v1/credentials', {
        name,
        kind,
        secret: secretFrom(form, info),
      })
      // Typed secrets do not outlive the save: cleared here, and the dialog's content unmounts.
      form.reset()
      onSaved(created)
    })
  }
  return (
    <form onSubmit={submit} autoComplete="off">
      <Field
        label="Name"
        value={name}
        onChange={(event) => setName(event.target.value)}
        hint="How your organisation knows it, for example “Payroll SFTP”"
        required
        maxLength={200}
      />
      <SelectField
        label="Kind"
        value={kind}
        onChange={(event) => setKind(event.target.value as CredentialKind)}
      >
        {KINDS.map((k) => (
          <option key={k.kind} value={k.kind}>
            {k.label}
          </option>
        ))}
      </SelectField>
      {/* A new kind starts a fresh set of inputs: no value typed for another kind is kept. */}
      <SecretFields key={kind} info={info} />
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <SubmitButton busy={busy}>Store credential</SubmitButton>
      </div>
    </form>
  )
}

function ReplaceForm({
  credential,
  onCancel,
  onSaved,
}: {
  credential: Credential
  onCancel(): void
  onSaved(credential: Credential): void
}) {
  const { busy, error, run } = useAction()
  const info = kindInfo(credential.kind)
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = event.currentTarget
    void run(async () => {
      const replaced = await api<Credential>(
        'PUT',
        `/api/v1/credentials/${encodeURIComponent(credential.id)}/secret`,
        { secret: secretFrom(form, info) },
      )
      form.reset()
      onSaved(replaced)
    })
  }
  return (
    <form onSubmit={submit} autoComplete="off">
      <p>
        The whole secret is replaced: type every field. The current secret is gone once this is
        saved.
      </p>
      <SecretFields info={info} initialNames={credential.fields} />
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <SubmitButton busy={busy}>Replace secret</SubmitButton>
      </div>
    </form>
  )
}
