// KMS-1, KMS-2: everywhere field ciphertext is stored, as one interface for `keys reencrypt`
// (move every value to the newest version) and `keys retire` (prove a version unused). A bytea
// column of ENCRYPTED_COLUMNS holds one ciphertext per row; the records of the data module hold
// a map of them per row (`sealed`) plus a blind index derived from a key version.
import type { EncryptedColumn } from '../../crypto/encrypted-columns.ts'
import { ENCRYPTED_COLUMNS } from '../../crypto/encrypted-columns.ts'
import { decryptField, encryptField } from '../../crypto/field-encryption.ts'
import type { Keyring } from '../../crypto/keyring.ts'
import type { Trx } from '../../db/tenant.ts'
import { countRecordKeyUse, rekeyRecords } from '../data/records.rekey.ts'
import { countByVersion, replaceValue, valuesNotUnder } from './keys.repository.ts'

export interface MoveBatch {
  read: number
  changed: number
  lastId: string | null
  /** Column names for the batch's audit event. */
  fields: string[]
}

export interface EncryptedStore {
  /** How many stored values are (`equal`) or are not under `version`. */
  count(trx: Trx, tenantId: string, version: number, equal: boolean): Promise<number>
  /** Moves the next batch after `afterId` (by row id) to `version`, in the caller's transaction. */
  move(
    trx: Trx,
    keys: Keyring,
    tenantId: string,
    version: number,
    afterId: string | null,
    limit: number,
  ): Promise<MoveBatch>
}

export function columnStore(c: EncryptedColumn): EncryptedStore {
  return {
    count: (trx, tenantId, version, equal) => countByVersion(trx, c, tenantId, version, equal),
    async move(trx, keys, tenantId, version, afterId, limit) {
      const values = await valuesNotUnder(trx, c, tenantId, version, afterId, limit)
      let changed = 0
      for (const { id, value } of values) {
        const ref = { tenantId, table: c.table, column: c.column, rowId: id }
        const plaintext = await decryptField(keys, ref, value)
        const next = await encryptField(keys, ref, plaintext)
        plaintext.fill(0)
        if (await replaceValue(trx, c, tenantId, id, value, next)) changed++
      }
      return {
        read: values.length,
        changed,
        lastId: values.at(-1)?.id ?? null,
        fields: [c.column],
      }
    },
  }
}

/** DATA-1: records' sealed values and data-subject blind indexes. */
export const RECORDS_STORE: EncryptedStore = {
  count: countRecordKeyUse,
  move: rekeyRecords,
}

/** The stores to work on: the given columns only (tests), else every place ciphertext lives. */
export function encryptedStores(columns?: readonly EncryptedColumn[]): EncryptedStore[] {
  return columns ? columns.map(columnStore) : [...ENCRYPTED_COLUMNS.map(columnStore), RECORDS_STORE]
}
