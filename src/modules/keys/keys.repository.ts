// Reads and rewrites field ciphertext in the registered encrypted columns, one tenant at a time
// (inside withTenant, so row-level security scopes every statement).
import { sql } from 'kysely'
import type { EncryptedColumn } from '../../crypto/encrypted-columns.ts'
import { FORMAT_VERSION } from '../../crypto/field-encryption.ts'
import type { Trx } from '../../db/tenant.ts'

/** The first five bytes of every ciphertext under `version`: format byte and version. */
export function versionPrefix(version: number): Buffer {
  const prefix = Buffer.alloc(5)
  prefix[0] = FORMAT_VERSION
  prefix.writeUInt32BE(version, 1)
  return prefix
}

/** How many values of the column are (`equal`) or are not under `version`. */
export async function countByVersion(
  trx: Trx,
  c: EncryptedColumn,
  tenantId: string,
  version: number,
  equal: boolean,
): Promise<number> {
  const { rows } = await sql<{ n: string | number }>`
    SELECT count(*) AS n FROM ${sql.table(c.table)}
    WHERE tenant_id = ${tenantId}::uuid AND ${sql.ref(c.column)} IS NOT NULL
      AND (substring(${sql.ref(c.column)} FROM 1 FOR 5) = ${versionPrefix(version)}) = ${equal}
  `.execute(trx)
  return Number(rows[0]?.n ?? 0)
}

export interface StoredValue {
  id: string
  value: Uint8Array
}

/** The next batch of values not under `version`, after `afterId`, locked for this transaction. */
export async function valuesNotUnder(
  trx: Trx,
  c: EncryptedColumn,
  tenantId: string,
  version: number,
  afterId: string | null,
  limit: number,
): Promise<StoredValue[]> {
  const { rows } = await sql<{ id: string; value: Uint8Array }>`
    SELECT ${sql.ref(c.idColumn)}::text AS id, ${sql.ref(c.column)} AS value
    FROM ${sql.table(c.table)}
    WHERE tenant_id = ${tenantId}::uuid AND ${sql.ref(c.column)} IS NOT NULL
      AND substring(${sql.ref(c.column)} FROM 1 FOR 5) <> ${versionPrefix(version)}
      AND (${afterId}::uuid IS NULL OR ${sql.ref(c.idColumn)} > ${afterId}::uuid)
    ORDER BY ${sql.ref(c.idColumn)}
    LIMIT ${limit}
    FOR UPDATE`.execute(trx)
  return rows
}

/** Replaces one value, only if it is still the one read (a concurrent write wins). */
export async function replaceValue(
  trx: Trx,
  c: EncryptedColumn,
  tenantId: string,
  id: string,
  from: Uint8Array,
  to: Buffer,
): Promise<boolean> {
  const result = await sql`
    UPDATE ${sql.table(c.table)} SET ${sql.ref(c.column)} = ${to}
    WHERE tenant_id = ${tenantId}::uuid AND ${sql.ref(c.idColumn)} = ${id}::uuid
      AND ${sql.ref(c.column)} = ${Buffer.from(from)}`.execute(trx)
  return Number(result.numAffectedRows ?? 0) === 1
}
