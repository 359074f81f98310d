// KMS-3: the credentials vault. Owners and admins store, list, replace and delete third-party
// credentials; the secret goes in through the API and never comes back out of it. Only
// useCredential, on the server, decrypts a secret, at the moment it is needed.
// LOG-1: every store, replace, use and delete writes its audit event in the same transaction,
// with the secret's field names and never their values.
import { randomUUID } from 'node:crypto'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { KmsError } from '../../crypto/errors.ts'
import { decryptField, encryptField, type FieldRef } from '../../crypto/field-encryption.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { isUuid, withTenant } from '../../db/tenant.ts'
import { assertCan } from '../access/permissions.ts'
import { eventOrigin, recordEvent, recordEventAlone } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import { actorOf, type Principal } from '../identity/sessions.service.ts'
import { VaultErrors } from './errors.ts'
import {
  auditFieldNames,
  type CredentialKind,
  checkSecretFields,
  MAX_NAME_LENGTH,
} from './vault.kinds.ts'
import {
  deleteCredential,
  findCredential,
  findSecret,
  insertCredential,
  listCredentials,
  markUsed,
  replaceSecret,
} from './vault.repository.ts'
import type { CredentialMetadataRow } from './vault.table.ts'

// AUTHZ-1: third-party credentials act for the whole organisation; managing them is an admin task.

const PURPOSE = /^[a-z][a-z0-9_.-]{0,63}$/

export type Secret = Record<string, string>

/** What the API shows of a credential: everything but the secret. */
export interface CredentialMetadata {
  id: string
  name: string
  kind: CredentialKind
  fields: string[]
  secretVersion: number
  createdAt: string
  updatedAt: string
  lastUsedAt: string | null
}

export interface NewCredential {
  name: string
  kind: CredentialKind
  secret: Secret
}

function toMetadata(row: CredentialMetadataRow): CredentialMetadata {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    fields: row.field_names,
    secretVersion: row.secret_version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    lastUsedAt: row.last_used_at ? row.last_used_at.toISOString() : null,
  }
}

function secretRef(tenantId: string, credentialId: string): FieldRef {
  return { tenantId, table: 'credentials', column: 'secret', rowId: credentialId }
}

/** The fields, in the checked order, encrypted for this credential row (KMS-2 binding). */
async function seal(
  ctx: ServiceContext,
  tenantId: string,
  credentialId: string,
  secret: Secret,
  fieldNames: string[],
): Promise<Buffer> {
  const plaintext = Buffer.from(
    JSON.stringify(Object.fromEntries(fieldNames.map((f) => [f, secret[f]]))),
  )
  try {
    return await encryptField(ctx.keys, secretRef(tenantId, credentialId), plaintext)
  } catch (err) {
    // KMS-5: a shredded tenant, or one without a key, stores nothing more.
    if (err instanceof KmsError) {
      throw VaultErrors.VAULT_KEY_UNAVAILABLE(undefined, { reason: err.reason })
    }
    throw err
  } finally {
    plaintext.fill(0)
  }
}

function changeEvent(
  action: 'credential.create' | 'credential.replace' | 'credential.delete',
  principal: Principal,
  credentialId: string,
  fieldNames: readonly string[],
  meta: RequestMeta,
): AuditEvent {
  return {
    category: 'data',
    action,
    outcome: 'success',
    actor: actorOf(principal),
    target: { type: 'credential', id: credentialId },
    fields: auditFieldNames(fieldNames),
    ...eventOrigin(meta),
  }
}

export async function createCredential(
  ctx: ServiceContext,
  principal: Principal,
  input: NewCredential,
  meta: RequestMeta,
): Promise<CredentialMetadata> {
  assertCan(principal, 'vault.manage')
  const name = input.name.trim().normalize('NFC')
  // NFC can lengthen a name the schema passed (some characters decompose), so count again.
  const length = [...name].length
  if (length < 1 || length > MAX_NAME_LENGTH) throw VaultErrors.VAULT_NAME_INVALID()
  const fieldNames = checkSecretFields(input.kind, input.secret)
  const { tenantId } = principal
  const id = randomUUID()
  const secret = await seal(ctx, tenantId, id, input.secret, fieldNames)
  try {
    return await withTenant(ctx.db, tenantId, async (trx) => {
      const row = await insertCredential(trx, {
        id,
        tenant_id: tenantId,
        name,
        kind: input.kind,
        field_names: fieldNames,
        secret,
        created_by: principal.userId,
        last_used_at: null,
      })
      await recordEvent(
        trx,
        tenantId,
        changeEvent('credential.create', principal, id, fieldNames, meta),
      )
      return toMetadata(row)
    })
  } catch (err) {
    // Parallel creates with one name: the unique index lets exactly one commit.
    if (isUniqueViolation(err, 'credentials_tenant_name_key')) throw VaultErrors.VAULT_NAME_TAKEN()
    throw err
  }
}

export async function getCredential(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
): Promise<CredentialMetadata> {
  assertCan(principal, 'vault.manage')
  const row = await withTenant(ctx.db, principal.tenantId, (trx) =>
    findCredential(trx, principal.tenantId, id),
  )
  if (!row) throw VaultErrors.VAULT_CREDENTIAL_NOT_FOUND()
  return toMetadata(row)
}

export function encodeCursor(name: string): string {
  return Buffer.from(`n:${name}`).toString('base64url')
}

export function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8')
  const name = text.startsWith('n:') ? text.slice(2) : ''
  const length = [...name].length
  if (length < 1 || length > MAX_NAME_LENGTH) throw VaultErrors.VAULT_CURSOR_INVALID()
  return name
}

export async function listCredentialPage(
  ctx: ServiceContext,
  principal: Principal,
  cursor: string | undefined,
  limit: number,
): Promise<{ credentials: CredentialMetadata[]; nextCursor: string | null }> {
  assertCan(principal, 'vault.manage')
  const afterName = cursor === undefined ? undefined : decodeCursor(cursor)
  const rows = await withTenant(ctx.db, principal.tenantId, (trx) =>
    listCredentials(trx, principal.tenantId, afterName, limit + 1),
  )
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    credentials: page.map(toMetadata),
    nextCursor: rows.length > limit && last ? encodeCursor(last.name) : null,
  }
}

/** Replaces the whole secret, checked against the credential's kind; the old one is gone. */
export async function replaceCredentialSecret(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
  secret: Secret,
  meta: RequestMeta,
): Promise<CredentialMetadata> {
  assertCan(principal, 'vault.manage')
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    // Locked, so concurrent replacements count their versions one after the other.
    const current = await findCredential(trx, tenantId, id, true)
    if (!current) throw VaultErrors.VAULT_CREDENTIAL_NOT_FOUND()
    const fieldNames = checkSecretFields(current.kind, secret)
    const sealed = await seal(ctx, tenantId, current.id, secret, fieldNames)
    const row = await replaceSecret(trx, tenantId, current.id, { fieldNames, secret: sealed })
    if (!row) throw VaultErrors.VAULT_CREDENTIAL_NOT_FOUND()
    await recordEvent(
      trx,
      tenantId,
      changeEvent('credential.replace', principal, current.id, fieldNames, meta),
    )
    return toMetadata(row)
  })
}

export async function removeCredential(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
  meta: RequestMeta,
): Promise<void> {
  assertCan(principal, 'vault.manage')
  const { tenantId } = principal
  await withTenant(ctx.db, tenantId, async (trx) => {
    const deleted = await deleteCredential(trx, tenantId, id)
    if (!deleted) throw VaultErrors.VAULT_CREDENTIAL_NOT_FOUND()
    await recordEvent(
      trx,
      tenantId,
      changeEvent('credential.delete', principal, deleted.id, deleted.field_names, meta),
    )
  })
}

/**
 * KMS-3: decrypts a credential at the moment of use and hands it to `use`; not reachable over
 * HTTP. The read, `last_used_at` and the `credential.use` event (LOG-1, `purpose` as its reason
 * code) commit together before `use` runs: the secret leaves the vault only once its use is on
 * record, and no transaction stays open while `use` talks to the third party. A secret that no
 * longer decrypts (crypto-shredded tenant, ciphertext altered or copied from another row or
 * tenant) is never handed out: the failure is recorded and VAULT_SECRET_UNREADABLE thrown.
 */
export async function useCredential<T>(
  ctx: ServiceContext,
  tenantId: string,
  credentialId: string,
  purpose: string,
  use: (secret: Secret) => Promise<T>,
): Promise<T> {
  if (!PURPOSE.test(purpose)) {
    throw new TypeError('useCredential needs a purpose code matching ^[a-z][a-z0-9_.-]{0,63}$')
  }
  if (!isUuid(credentialId)) throw VaultErrors.VAULT_CREDENTIAL_NOT_FOUND()
  // The audit log takes lower-case ids only.
  const id = credentialId.toLowerCase()
  const useEvent = (fields?: readonly string[]): AuditEvent => ({
    category: 'data',
    action: 'credential.use',
    outcome: 'success',
    reason: purpose,
    actor: { type: 'system' },
    target: { type: 'credential', id },
    ...(fields ? { fields: auditFieldNames(fields) } : {}),
  })
  let plaintext: Buffer
  try {
    plaintext = await withTenant(ctx.db, tenantId, async (trx) => {
      const stored = await findSecret(trx, tenantId, id)
      if (!stored) throw VaultErrors.VAULT_CREDENTIAL_NOT_FOUND()
      const clear = await decryptField(ctx.keys, secretRef(tenantId, id), stored.secret)
      try {
        await markUsed(trx, tenantId, id)
        await recordEvent(trx, tenantId, useEvent(stored.field_names))
      } catch (err) {
        clear.fill(0)
        throw err
      }
      return clear
    })
  } catch (err) {
    if (!(err instanceof KmsError)) throw err
    // LOG-1: a refused decryption changes nothing, so its event gets a transaction of its own.
    await recordEventAlone(ctx.db, tenantId, {
      ...useEvent(),
      outcome: 'failure',
      reason: err.reason,
    })
    throw VaultErrors.VAULT_SECRET_UNREADABLE(undefined, { reason: err.reason })
  }
  let secret: Secret
  try {
    secret = JSON.parse(plaintext.toString('utf8')) as Secret
  } finally {
    // Best effort: the buffer is zeroed at once; the strings parsed from it cannot be.
    plaintext.fill(0)
  }
  return use(secret)
}
