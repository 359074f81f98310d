// KMS-1, KMS-2: moving records to a tenant's newest key version (`rampart keys reencrypt`).
// A record's personal and sensitive values live as base64 ciphertexts in its `sealed` object, each
// naming its key version in its header; its blind index names its version in
// subject_key_version. Both count as uses of a version (so `keys retire` refuses while any
// remains) and both are moved: each value decrypted and encrypted again under the new version, the
// blind index recomputed under it, so subject lookups keep working once the old one is retired.
// Locked (deleted) records and those of locked collections are stored data too, and move as well.
import { sql } from 'kysely'
import { encryptField, keyVersionOf } from '../../crypto/field-encryption.ts'
import type { Keyring } from '../../crypto/keyring.ts'
import type { Trx } from '../../db/tenant.ts'
import { versionPrefix } from '../keys/keys.repository.ts'
import type { FieldDefinition } from './fields.ts'
import { openSealedValue, recordFieldRef, subjectIndexFor } from './records.codec.ts'
import type { SealedValues } from './records.table.ts'

/**
 * The header (format byte and key version) of a sealed value, or null when the value is not
 * base64 at all (altered in the database): such a value counts as not under any version, so a
 * reencrypt run reaches it and fails loudly rather than a count failing on decode().
 */
const HEADER = sql`CASE WHEN v.value ~ '^[A-Za-z0-9+/]+={0,2}$' AND length(v.value) % 4 = 0
  THEN substring(decode(v.value, 'base64') FROM 1 FOR 5) END`

/** Values and blind indexes of the tenant's records under (`equal`) or not under `version`. */
export async function countRecordKeyUse(
  trx: Trx,
  tenantId: string,
  version: number,
  equal: boolean,
): Promise<number> {
  const prefix = versionPrefix(version)
  const { rows } = await sql<{ n: string | number }>`
    SELECT
      (SELECT count(*) FROM records r, jsonb_each_text(r.sealed) v
        WHERE r.tenant_id = ${tenantId}::uuid
          AND (${HEADER} IS NOT DISTINCT FROM ${prefix}) = ${equal})
      + (SELECT count(*) FROM records r
        WHERE r.tenant_id = ${tenantId}::uuid AND r.subject_key_version IS NOT NULL
          AND (r.subject_key_version = ${version}) = ${equal}) AS n`.execute(trx)
  return Number(rows[0]?.n ?? 0)
}

interface StaleRecord {
  id: string
  collection_id: string
  sealed: SealedValues
  subject_key_version: number | null
  fields: FieldDefinition[]
  subject_field: string | null
}

export interface RekeyBatch {
  read: number
  changed: number
  lastId: string | null
  /** The columns whose contents moved in this batch, for the audit event. */
  fields: string[]
}

/**
 * The next batch (by id, after `afterId`) of records holding anything not under `version`, each
 * moved to it. A record written by someone else meanwhile is left for the next run: the update
 * only applies while `sealed` is still what was read.
 */
export async function rekeyRecords(
  trx: Trx,
  keys: Keyring,
  tenantId: string,
  version: number,
  afterId: string | null,
  limit: number,
): Promise<RekeyBatch> {
  const prefix = versionPrefix(version)
  const { rows } = await sql<StaleRecord>`
    SELECT r.id::text AS id, r.collection_id::text AS collection_id, r.sealed,
      r.subject_key_version, c.fields, c.subject_field
    FROM records r
    JOIN collections c ON c.tenant_id = r.tenant_id AND c.id = r.collection_id
    WHERE r.tenant_id = ${tenantId}::uuid
      AND (${afterId}::uuid IS NULL OR r.id > ${afterId}::uuid)
      AND (
        (r.subject_key_version IS NOT NULL AND r.subject_key_version <> ${version})
        OR EXISTS (SELECT 1 FROM jsonb_each_text(r.sealed) v
          WHERE ${HEADER} IS DISTINCT FROM ${prefix}))
    ORDER BY r.id
    LIMIT ${limit}
    FOR UPDATE OF r`.execute(trx)
  let changed = 0
  const moved = new Set<string>()
  for (const row of rows) {
    const sealed: SealedValues = {}
    for (const [key, value] of Object.entries(row.sealed)) {
      if (keyVersionOf(Buffer.from(value, 'base64')) === version) {
        sealed[key] = value
        continue
      }
      const plain = await openSealedValue(keys, tenantId, row.id, key, value)
      const ref = recordFieldRef(tenantId, row.id, key)
      sealed[key] = (await encryptField(keys, ref, JSON.stringify(plain))).toString('base64')
      moved.add('sealed')
    }
    let index: { subject_index: Buffer | null; subject_key_version: number | null } | null = null
    if (row.subject_key_version !== null && row.subject_key_version !== version) {
      const subject = row.subject_field
      const stored = subject !== null ? row.sealed[subject] : undefined
      const value =
        subject !== null && stored !== undefined
          ? await openSealedValue(keys, tenantId, row.id, subject, stored)
          : null
      const collection = { id: row.collection_id, fields: row.fields, subjectField: subject }
      index =
        typeof value === 'string'
          ? {
              subject_index: await subjectIndexFor(keys, tenantId, collection, value, version),
              subject_key_version: version,
            }
          : { subject_index: null, subject_key_version: null }
      moved.add('subject_index')
    }
    const result = await trx
      .updateTable('records')
      .set({ sealed: JSON.stringify(sealed), ...(index ?? {}) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', row.id)
      .where(sql<boolean>`sealed = ${JSON.stringify(row.sealed)}::jsonb`)
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) === 1) changed++
  }
  return { read: rows.length, changed, lastId: rows.at(-1)?.id ?? null, fields: [...moved] }
}
