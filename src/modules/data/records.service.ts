import type { RequestMeta, ServiceContext } from '../../context.ts'
import { isUuid, type Trx, withTenant } from '../../db/tenant.ts'
import { AppError } from '../../http/errors.ts'
import { assertCan } from '../access/permissions.ts'
import { eventOrigin, recordEvent, recordEventAlone } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import { actorOf, type Principal } from '../identity/sessions.service.ts'
import { findLiveCollection } from './collections.repository.ts'
import { type Collection, collectionForAccess, toCollection } from './collections.service.ts'
import { findLockedRow, lockRow, unlockRow } from './deletion-lock.repository.ts'
import { DataErrors } from './errors.ts'
import { isEncryptedClass } from './fields.ts'
import {
  assertRecordValues,
  newRecordRow,
  normalizeSubject,
  openRecord,
  type RecordValues,
  sealRecord,
  subjectIndexFor,
} from './records.codec.ts'
import {
  decodeCursor,
  encodeCursor,
  parseFilters,
  parseSort,
  queryFingerprint,
} from './records.query.ts'
import {
  findLiveRecord,
  insertRecords,
  listLiveRecords,
  updateRecord,
} from './records.repository.ts'
import type { RecordRow } from './records.table.ts'

export const MAX_PAGE = 200
export const DEFAULT_PAGE = 50

export interface DataRecord {
  id: string
  collectionId: string
  revision: number
  values: RecordValues
  createdBy: string | null
  createdAt: string
  updatedBy: string | null
  updatedAt: string
}

export interface RecordListInput {
  filter?: string[] | undefined
  sort?: string | undefined
  limit?: number | undefined
  cursor?: string | undefined
  subject?: string | undefined
}

async function toRecord(
  ctx: ServiceContext,
  tenantId: string,
  collection: Collection,
  row: RecordRow,
): Promise<DataRecord> {
  return {
    id: row.id,
    collectionId: row.collection_id,
    revision: row.revision,
    values: await openRecord(ctx.keys, tenantId, collection, row),
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedBy: row.updated_by,
    updatedAt: row.updated_at.toISOString(),
  }
}

/** DATA-2, LOG-1: a record's event: who, which record of which collection, and field names only. */
export function recordEventOf(
  action: string,
  actor: AuditEvent['actor'],
  collectionId: string,
  recordId: string | undefined,
  meta: RequestMeta | undefined,
  fields?: string[],
): AuditEvent {
  return {
    category: 'data',
    action,
    outcome: 'success',
    actor,
    target: { type: 'record', ...(recordId ? { id: recordId } : {}) },
    parent: { type: 'collection', id: collectionId },
    ...(fields && fields.length > 0 ? { fields } : {}),
    ...(meta ? eventOrigin(meta) : {}),
  }
}

function readAccess(principal: Principal): void {
  assertCan(principal, 'records.read')
}

async function liveRecordOrThrow(
  trx: Trx,
  tenantId: string,
  collectionId: string,
  recordId: string,
  lock = false,
): Promise<RecordRow> {
  const row = isUuid(recordId)
    ? await findLiveRecord(trx, tenantId, collectionId, recordId, lock)
    : undefined
  if (!row) throw DataErrors.DATA_RECORD_NOT_FOUND()
  return row
}

/**
 * KMS-2, LOG-1: a stored value failing its binding check means rows were altered or moved in the
 * database. The refusal is recorded in a transaction of its own (the request's is rolled back),
 * with the record and the field's name.
 */
async function auditingUnreadable<T>(
  ctx: ServiceContext,
  principal: Principal,
  collectionId: string,
  meta: RequestMeta | undefined,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work()
  } catch (err) {
    if (err instanceof AppError && err.code === 'DATA_RECORD_UNREADABLE') {
      const { recordId, field } = err.details as { recordId: string; field: string }
      await recordEventAlone(ctx.db, principal.tenantId, {
        ...recordEventOf('record.read', actorOf(principal), collectionId, recordId, meta, [field]),
        outcome: 'failure',
        reason: 'ciphertext_rejected',
      })
    }
    throw err
  }
}

export async function createRecord(
  ctx: ServiceContext,
  principal: Principal,
  collectionId: string,
  input: unknown,
  meta: RequestMeta,
): Promise<DataRecord> {
  assertCan(principal, 'records.write')
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    const collection = await collectionForAccess(trx, tenantId, principal, collectionId, 'edit')
    const values = assertRecordValues(collection, input, 'create')
    const made = await newRecordRow(ctx.keys, tenantId, collection, values, principal.userId)
    const { id } = made
    await insertRecords(trx, [made])
    await recordEvent(
      trx,
      tenantId,
      recordEventOf(
        'record.create',
        actorOf(principal),
        collection.id,
        id,
        meta,
        Object.keys(values),
      ),
    )
    const row = await findLiveRecord(trx, tenantId, collection.id, id)
    if (!row) throw DataErrors.DATA_RECORD_NOT_FOUND()
    return toRecord(ctx, tenantId, collection, row)
  })
}

export async function getRecord(
  ctx: ServiceContext,
  principal: Principal,
  collectionId: string,
  recordId: string,
  meta?: RequestMeta,
): Promise<DataRecord> {
  readAccess(principal)
  const { tenantId } = principal
  return auditingUnreadable(ctx, principal, collectionId, meta, () =>
    withTenant(ctx.db, tenantId, async (trx) => {
      const collection = await collectionForAccess(trx, tenantId, principal, collectionId, 'view')
      const row = await liveRecordOrThrow(trx, tenantId, collection.id, recordId)
      return toRecord(ctx, tenantId, collection, row)
    }),
  )
}

/**
 * DATA-8: the blind indexes `subject` would have under every active version of the tenant key,
 * so a lookup still finds records indexed before a key rotation. The versions come from the key
 * store, not from scanning the collection: a retired version indexes nothing (`keys retire` is
 * refused while any value or index still uses it), and there are only a handful of versions.
 */
async function subjectIndexes(
  ctx: ServiceContext,
  tenantId: string,
  collection: Collection,
  subject: string,
): Promise<{ version: number; index: Buffer }[]> {
  const field = collection.fields.find((f) => f.key === collection.subjectField)
  if (!field) throw DataErrors.DATA_SUBJECT_UNSUPPORTED()
  if (normalizeSubject(field, subject) === '') return []
  const status = await ctx.keys.status(tenantId)
  // KMS-5: after crypto-shredding no index can be computed, as no value can be read.
  if (status.shreddedAt) {
    throw DataErrors.DATA_KEY_UNAVAILABLE(undefined, { reason: 'tenant_shredded' })
  }
  const out: { version: number; index: Buffer }[] = []
  for (const { version, state } of status.versions) {
    if (state !== 'active') continue
    out.push({
      version,
      index: await subjectIndexFor(ctx.keys, tenantId, collection, subject, version),
    })
  }
  return out
}

export async function listRecords(
  ctx: ServiceContext,
  principal: Principal,
  collectionId: string,
  input: RecordListInput,
  meta?: RequestMeta,
): Promise<{ records: DataRecord[]; nextCursor: string | null }> {
  readAccess(principal)
  const limit = input.limit ?? DEFAULT_PAGE
  return auditingUnreadable(ctx, principal, collectionId, meta, () =>
    listPage(ctx, principal, collectionId, input, limit),
  )
}

async function listPage(
  ctx: ServiceContext,
  principal: Principal,
  collectionId: string,
  input: RecordListInput,
  limit: number,
): Promise<{ records: DataRecord[]; nextCursor: string | null }> {
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    const collection = await collectionForAccess(trx, tenantId, principal, collectionId, 'view')
    const rawFilters = input.filter ?? []
    const filters = parseFilters(collection, rawFilters)
    const sort = parseSort(collection, input.sort)
    const subjects =
      input.subject === undefined
        ? null
        : await subjectIndexes(ctx, tenantId, collection, input.subject)
    const fingerprint = queryFingerprint(collection.id, rawFilters, sort, subjects)
    const cursor = input.cursor === undefined ? null : decodeCursor(input.cursor, fingerprint, sort)
    const rows = await listLiveRecords(trx, {
      tenantId,
      collectionId: collection.id,
      filters,
      sort,
      cursor,
      limit,
      subjects,
    })
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    const records: DataRecord[] = []
    for (const row of page) records.push(await toRecord(ctx, tenantId, collection, row))
    return {
      records,
      nextCursor:
        rows.length > limit && last
          ? encodeCursor(fingerprint, { sortValue: last.sort_key, id: last.id })
          : null,
    }
  })
}

/**
 * Changes the given fields (null clears an optional one). With `expectedRevision`, a record
 * changed meanwhile is refused (409) instead of overwritten. Values not given keep their stored
 * ciphertext untouched.
 */
export async function changeRecord(
  ctx: ServiceContext,
  principal: Principal,
  collectionId: string,
  recordId: string,
  input: { values: unknown; expectedRevision?: number | undefined },
  meta: RequestMeta,
): Promise<DataRecord> {
  assertCan(principal, 'records.write')
  return auditingUnreadable(ctx, principal, collectionId, meta, () =>
    writeChanges(ctx, principal, collectionId, recordId, input, meta),
  )
}

async function writeChanges(
  ctx: ServiceContext,
  principal: Principal,
  collectionId: string,
  recordId: string,
  input: { values: unknown; expectedRevision?: number | undefined },
  meta: RequestMeta,
): Promise<DataRecord> {
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, async (trx) => {
    const collection = await collectionForAccess(trx, tenantId, principal, collectionId, 'edit')
    const row = await liveRecordOrThrow(trx, tenantId, collection.id, recordId, true)
    if (input.expectedRevision !== undefined && input.expectedRevision !== row.revision) {
      throw DataErrors.DATA_RECORD_REVISION_CONFLICT(undefined, { revision: row.revision })
    }
    const changes = assertRecordValues(collection, input.values, 'update')
    const sealedNow = await sealRecord(ctx.keys, tenantId, collection, row.id, changes)
    const data = { ...row.data }
    const sealed = { ...row.sealed }
    const changed: string[] = []
    const current = await openRecord(ctx.keys, tenantId, collection, row)
    for (const field of collection.fields) {
      const { key } = field
      if (!Object.hasOwn(changes, key)) continue
      // Saving what is already there is no change: nothing re-encrypted, nothing recorded.
      if (changes[key] === current[key]) continue
      changed.push(key)
      const target: Record<string, unknown> = isEncryptedClass(field.classification) ? sealed : data
      if (changes[key] === null) delete target[key]
      else if (isEncryptedClass(field.classification)) sealed[key] = sealedNow.sealed[key] as string
      else data[key] = sealedNow.data[key] as string | number | boolean
    }
    if (changed.length === 0) return toRecord(ctx, tenantId, collection, row)
    const subjectChanged =
      collection.subjectField !== null && changed.includes(collection.subjectField)
    const updated = await updateRecord(trx, tenantId, row.id, {
      data: JSON.stringify(data),
      sealed: JSON.stringify(sealed),
      ...(subjectChanged
        ? {
            subject_index: sealedNow.subjectIndex,
            subject_key_version: sealedNow.subjectKeyVersion,
          }
        : {}),
      updated_by: principal.userId,
    })
    if (!updated) throw DataErrors.DATA_RECORD_NOT_FOUND()
    await recordEvent(
      trx,
      tenantId,
      recordEventOf('record.update', actorOf(principal), collection.id, row.id, meta, changed),
    )
    return toRecord(ctx, tenantId, collection, updated)
  })
}

/** DATA-4: locks the record: invisible everywhere but the restore view, until purged. */
export async function deleteRecord(
  ctx: ServiceContext,
  principal: Principal,
  collectionId: string,
  recordId: string,
  meta: RequestMeta,
): Promise<{ purgeAfter: string }> {
  assertCan(principal, 'records.write')
  const { tenantId } = principal
  const { deletionLockDays } = ctx.config.data
  const purgeAfter = await withTenant(ctx.db, tenantId, async (trx) => {
    const collection = await collectionForAccess(trx, tenantId, principal, collectionId, 'edit')
    const row = await liveRecordOrThrow(trx, tenantId, collection.id, recordId, true)
    const until = await lockRow(
      trx,
      'records',
      tenantId,
      row.id,
      principal.userId,
      deletionLockDays,
    )
    await recordEvent(
      trx,
      tenantId,
      recordEventOf('record.delete', actorOf(principal), collection.id, row.id, meta),
    )
    return until
  })
  return { purgeAfter: purgeAfter.toISOString() }
}

/** DATA-4: brings a locked record back (data.manage); its collection must be live. */
export async function restoreRecord(
  ctx: ServiceContext,
  principal: Principal,
  collectionId: string,
  recordId: string,
  meta: RequestMeta,
): Promise<DataRecord> {
  assertCan(principal, 'data.manage')
  const { tenantId } = principal
  if (!isUuid(collectionId) || !isUuid(recordId)) throw DataErrors.DATA_NOT_DELETED()
  return withTenant(ctx.db, tenantId, async (trx) => {
    const locked = await findLockedRow(trx, 'records', tenantId, recordId)
    if (!locked || locked.collection_id !== collectionId) throw DataErrors.DATA_NOT_DELETED()
    // data.manage reaches every collection: only whether it is live is left to check.
    const live = await findLiveCollection(trx, tenantId, collectionId, 'share')
    if (!live) throw DataErrors.DATA_COLLECTION_LOCKED()
    const collection = toCollection(live)
    const row = await unlockRow(trx, 'records', tenantId, recordId, false)
    await recordEvent(
      trx,
      tenantId,
      recordEventOf('record.restore', actorOf(principal), collectionId, recordId, meta),
    )
    return toRecord(ctx, tenantId, collection, row)
  })
}
