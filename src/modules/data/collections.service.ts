// DATA-1: collections, their typed and classified fields, and their schema history. Holders of
// data.manage define and change collections and reach all of them; everyone else reaches a
// collection only through a `collection` grant to one of their groups (AUTHZ-2: view, or edit,
// which implies view), and one they may not reach answers exactly like one that does not exist.
// DATA-2: every change records its event in the same transaction, with field names, never values.
// DATA-4: deletion locks a collection (invisible, restorable by an admin) until the purge job.
import { randomUUID } from 'node:crypto'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { isUuid, type Trx, withTenant } from '../../db/tenant.ts'
import { assertCan } from '../access/permissions.ts'
import { findResourceType, registerResourceType } from '../access/resource-types.ts'
import { recordEvent } from '../audit/audit.service.ts'
import type { Principal } from '../identity/sessions.service.ts'
import {
  collectionExists,
  findLiveCollection,
  insertCollection,
  insertCollectionVersion,
  listCollectionVersions,
  listLiveCollections,
  updateCollection,
} from './collections.repository.ts'
import {
  checkCollectionDescription,
  checkCollectionName,
  checkSchema,
  collectionNameKey,
  compareSchemas,
  type FieldInput,
} from './collections.schema.ts'
import type { CollectionRow } from './collections.table.ts'
import { findLockedRow, lockRow, unlockRow } from './deletion-lock.repository.ts'
import { DataErrors } from './errors.ts'
import { changeEventsOf } from './events.ts'
import type { FieldDefinition } from './fields.ts'
import { mayReach, viewableIds } from './reach.ts'
import { stripFieldValues } from './records.repository.ts'

export const COLLECTION_TYPE = 'collection'

// AUTHZ-2: grants may name collections. Registered once however often this module is loaded
// (the registry refuses a second registration); a grant may name a locked collection too, so a
// restored one keeps its grants, which go only when it is purged.
if (!findResourceType(COLLECTION_TYPE)) {
  registerResourceType({
    type: COLLECTION_TYPE,
    permissions: ['view', 'edit'],
    implies: { edit: ['view'] },
    exists: (trx, tenantId, id) => collectionExists(trx, tenantId, id),
  })
}

export interface Collection {
  id: string
  name: string
  description: string | null
  schemaVersion: number
  fields: FieldDefinition[]
  subjectField: string | null
  createdAt: string
  updatedAt: string
}

export interface CollectionVersion {
  version: number
  fields: FieldDefinition[]
  subjectField: string | null
  changedBy: string | null
  changedAt: string
}

export interface CollectionInput {
  name: string
  description?: string | null | undefined
  fields: FieldInput[]
  subjectField?: string | null | undefined
}

export interface CollectionChanges {
  name?: string | undefined
  description?: string | null | undefined
  fields?: FieldInput[] | undefined
  subjectField?: string | null | undefined
  /** Required with `fields`: the schemaVersion the change was made against. */
  expectedVersion?: number | undefined
}

export function toCollection(row: CollectionRow): Collection {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    schemaVersion: row.schema_version,
    fields: row.fields,
    subjectField: row.subject_field,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

const collectionEvent = changeEventsOf(COLLECTION_TYPE)

function nameTaken(err: unknown): unknown {
  // Parallel creates, renames or restores to one name: the unique index lets exactly one commit.
  return isUniqueViolation(err, 'collections_name_key')
    ? DataErrors.DATA_COLLECTION_NAME_TAKEN()
    : err
}

/**
 * The live collection for the operator's CLI, which acts for the provider on any collection of
 * the tenant (audited with actor `system`), share-locked like a record write.
 */
export async function operatorReach(
  trx: Trx,
  tenantId: string,
  collectionId: string,
): Promise<Collection> {
  if (!isUuid(collectionId)) throw DataErrors.DATA_COLLECTION_NOT_FOUND()
  const row = await findLiveCollection(trx, tenantId, collectionId, 'share')
  if (!row) throw DataErrors.DATA_COLLECTION_NOT_FOUND()
  return toCollection(row)
}

/**
 * The live collection `principal` may reach with `access`, inside the caller's withTenant
 * transaction: holders of data.manage reach every one; others need a `collection` grant (edit
 * implies view). Otherwise DATA_COLLECTION_NOT_FOUND, exactly as for an id that never existed.
 * For `edit` the row is share-locked to the end of the transaction, so the schema a write was
 * checked against cannot change (or lose a field) before it commits.
 */
export async function collectionForAccess(
  trx: Trx,
  tenantId: string,
  principal: Principal,
  collectionId: string,
  access: 'view' | 'edit',
): Promise<Collection> {
  if (!isUuid(collectionId)) throw DataErrors.DATA_COLLECTION_NOT_FOUND()
  if (!(await mayReach(trx, tenantId, principal, COLLECTION_TYPE, collectionId, access))) {
    throw DataErrors.DATA_COLLECTION_NOT_FOUND()
  }
  const row = await findLiveCollection(
    trx,
    tenantId,
    collectionId,
    access === 'edit' ? 'share' : null,
  )
  if (!row) throw DataErrors.DATA_COLLECTION_NOT_FOUND()
  return toCollection(row)
}

export async function createCollection(
  ctx: ServiceContext,
  principal: Principal,
  input: CollectionInput,
  meta: RequestMeta,
): Promise<Collection> {
  assertCan(principal, 'data.manage')
  const name = checkCollectionName(input.name)
  const description = checkCollectionDescription(input.description)
  const { fields, subjectField } = checkSchema(input.fields, input.subjectField)
  const { tenantId } = principal
  try {
    return await withTenant(ctx.db, tenantId, async (trx) => {
      const id = randomUUID()
      const row = await insertCollection(trx, {
        id,
        tenant_id: tenantId,
        name,
        name_normalized: collectionNameKey(name),
        description,
        fields: JSON.stringify(fields),
        subject_field: subjectField,
        created_by: principal.userId,
      })
      await insertCollectionVersion(trx, {
        tenant_id: tenantId,
        collection_id: id,
        version: 1,
        fields: JSON.stringify(fields),
        subject_field: subjectField,
        changed_by: principal.userId,
      })
      await recordEvent(
        trx,
        tenantId,
        collectionEvent(
          'collection.create',
          principal,
          id,
          meta,
          fields.map((f) => f.key),
        ),
      )
      return toCollection(row)
    })
  } catch (err) {
    throw nameTaken(err)
  }
}

/** The live collections the caller may view: all for data.manage, else the granted ones. */
export async function listCollections(
  ctx: ServiceContext,
  principal: Principal,
): Promise<Collection[]> {
  assertCan(principal, 'records.read')
  const { tenantId } = principal
  const rows = await withTenant(ctx.db, tenantId, async (trx) => {
    const ids = await viewableIds(trx, tenantId, principal, COLLECTION_TYPE)
    return listLiveCollections(trx, tenantId, ids)
  })
  return rows.map(toCollection)
}

export async function getCollection(
  ctx: ServiceContext,
  principal: Principal,
  collectionId: string,
): Promise<Collection> {
  assertCan(principal, 'records.read')
  const { tenantId } = principal
  return withTenant(ctx.db, tenantId, (trx) =>
    collectionForAccess(trx, tenantId, principal, collectionId, 'view'),
  )
}

export async function listVersions(
  ctx: ServiceContext,
  principal: Principal,
  collectionId: string,
): Promise<CollectionVersion[]> {
  assertCan(principal, 'records.read')
  const { tenantId } = principal
  const rows = await withTenant(ctx.db, tenantId, async (trx) => {
    await collectionForAccess(trx, tenantId, principal, collectionId, 'view')
    return listCollectionVersions(trx, tenantId, collectionId)
  })
  return rows.map((row) => ({
    version: row.version,
    fields: row.fields,
    subjectField: row.subject_field,
    changedBy: row.changed_by,
    changedAt: row.changed_at.toISOString(),
  }))
}

/**
 * Renames, redescribes or changes the schema. A new field list needs `expectedVersion`; the row
 * is locked first, so of parallel changes made against one version exactly one commits and the
 * others get DATA_SCHEMA_VERSION_CONFLICT. A removed field's values leave every record of the
 * collection, locked ones included, in the same transaction.
 */
export async function changeCollection(
  ctx: ServiceContext,
  principal: Principal,
  collectionId: string,
  changes: CollectionChanges,
  meta: RequestMeta,
): Promise<Collection> {
  assertCan(principal, 'data.manage')
  const name = changes.name === undefined ? undefined : checkCollectionName(changes.name)
  const description =
    changes.description === undefined ? undefined : checkCollectionDescription(changes.description)
  const schemaChange = changes.fields !== undefined || changes.subjectField !== undefined
  if (schemaChange && changes.expectedVersion === undefined) {
    throw DataErrors.DATA_SCHEMA_INVALID('A schema change needs expectedVersion', {
      field: null,
      issue: 'expected_version_missing',
    })
  }
  const { tenantId } = principal
  if (!isUuid(collectionId)) throw DataErrors.DATA_COLLECTION_NOT_FOUND()
  try {
    return await withTenant(ctx.db, tenantId, async (trx) => {
      const row = await findLiveCollection(trx, tenantId, collectionId, 'update')
      if (!row) throw DataErrors.DATA_COLLECTION_NOT_FOUND()
      if (changes.expectedVersion !== undefined && changes.expectedVersion !== row.schema_version) {
        throw DataErrors.DATA_SCHEMA_VERSION_CONFLICT(undefined, {
          schemaVersion: row.schema_version,
        })
      }
      const set: Parameters<typeof updateCollection>[3] = {}
      const changed: string[] = []
      if (name !== undefined && name !== row.name) {
        set.name = name
        set.name_normalized = collectionNameKey(name)
        changed.push('name')
      }
      if (description !== undefined && description !== row.description) {
        set.description = description
        changed.push('description')
      }
      const current = { fields: row.fields, subjectField: row.subject_field }
      const nextFields = changes.fields ?? row.fields
      // A removed subject field takes its role with it, unless another one is named.
      const keptSubject = nextFields.some((f) => f.key === row.subject_field)
        ? row.subject_field
        : null
      const next = schemaChange
        ? checkSchema(
            nextFields,
            changes.subjectField === undefined ? keptSubject : changes.subjectField,
          )
        : current
      const diff = compareSchemas(current, next)
      if (diff.changed) {
        const version = row.schema_version + 1
        set.schema_version = version
        set.fields = JSON.stringify(next.fields)
        set.subject_field = next.subjectField
        await insertCollectionVersion(trx, {
          tenant_id: tenantId,
          collection_id: collectionId,
          version,
          fields: JSON.stringify(next.fields),
          subject_field: next.subjectField,
          changed_by: principal.userId,
        })
        const subjectDropped = row.subject_field !== null && next.subjectField !== row.subject_field
        if (diff.removed.length > 0 || subjectDropped) {
          await stripFieldValues(trx, tenantId, collectionId, diff.removed, subjectDropped)
        }
        changed.push(...diff.added, ...diff.removed, ...diff.altered)
        if (next.subjectField !== row.subject_field) changed.push('subject_field')
      }
      if (changed.length === 0) return toCollection(row)
      const updated = await updateCollection(trx, tenantId, collectionId, set)
      await recordEvent(
        trx,
        tenantId,
        collectionEvent('collection.update', principal, collectionId, meta, [...new Set(changed)]),
      )
      return toCollection(updated)
    })
  } catch (err) {
    throw nameTaken(err)
  }
}

/** DATA-4: locks the collection; it and its records vanish from every view but the restore one. */
export async function deleteCollection(
  ctx: ServiceContext,
  principal: Principal,
  collectionId: string,
  meta: RequestMeta,
): Promise<{ purgeAfter: string }> {
  assertCan(principal, 'data.manage')
  if (!isUuid(collectionId)) throw DataErrors.DATA_COLLECTION_NOT_FOUND()
  const { tenantId } = principal
  const { deletionLockDays } = ctx.config.data
  const purgeAfter = await withTenant(ctx.db, tenantId, async (trx) => {
    if (!(await findLiveCollection(trx, tenantId, collectionId, 'update'))) {
      throw DataErrors.DATA_COLLECTION_NOT_FOUND()
    }
    const until = await lockRow(
      trx,
      'collections',
      tenantId,
      collectionId,
      principal.userId,
      deletionLockDays,
    )
    await recordEvent(
      trx,
      tenantId,
      collectionEvent('collection.delete', principal, collectionId, meta),
    )
    return until
  })
  return { purgeAfter: purgeAfter.toISOString() }
}

/** DATA-4: brings a locked collection back, with its grants; its name must still be free. */
export async function restoreCollection(
  ctx: ServiceContext,
  principal: Principal,
  collectionId: string,
  meta: RequestMeta,
): Promise<Collection> {
  assertCan(principal, 'data.manage')
  if (!isUuid(collectionId)) throw DataErrors.DATA_NOT_DELETED()
  const { tenantId } = principal
  try {
    return await withTenant(ctx.db, tenantId, async (trx) => {
      if (!(await findLockedRow(trx, 'collections', tenantId, collectionId))) {
        throw DataErrors.DATA_NOT_DELETED()
      }
      const row = await unlockRow(trx, 'collections', tenantId, collectionId, true)
      await recordEvent(
        trx,
        tenantId,
        collectionEvent('collection.restore', principal, collectionId, meta),
      )
      return toCollection(row)
    })
  } catch (err) {
    throw nameTaken(err)
  }
}
