// KMS-3: credential rows. Reads for the API select the metadata columns only; the ciphertext is
// read by findSecret alone, which only useCredential calls.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { CredentialMetadataRow, NewCredentialRow } from './vault.table.ts'

const METADATA = [
  'id',
  'tenant_id',
  'name',
  'kind',
  'field_names',
  'secret_version',
  'created_by',
  'created_at',
  'updated_at',
  'last_used_at',
] as const

export async function insertCredential(
  trx: Trx,
  row: NewCredentialRow,
): Promise<CredentialMetadataRow> {
  return trx.insertInto('credentials').values(row).returning(METADATA).executeTakeFirstOrThrow()
}

/** One credential's metadata; `lock` holds the row until the transaction ends (replacements). */
export async function findCredential(
  trx: Trx,
  tenantId: string,
  id: string,
  lock = false,
): Promise<CredentialMetadataRow | undefined> {
  let query = trx
    .selectFrom('credentials')
    .select(METADATA)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
  if (lock) query = query.forUpdate()
  return query.executeTakeFirst()
}

/** Credentials by name, after `afterName` when paging. */
export async function listCredentials(
  trx: Trx,
  tenantId: string,
  afterName: string | undefined,
  limit: number,
): Promise<CredentialMetadataRow[]> {
  let query = trx.selectFrom('credentials').select(METADATA).where('tenant_id', '=', tenantId)
  if (afterName !== undefined) query = query.where('name', '>', afterName)
  return query.orderBy('name').limit(limit).execute()
}

export async function replaceSecret(
  trx: Trx,
  tenantId: string,
  id: string,
  change: { fieldNames: string[]; secret: Buffer },
): Promise<CredentialMetadataRow | undefined> {
  return trx
    .updateTable('credentials')
    .set({
      field_names: change.fieldNames,
      secret: change.secret,
      secret_version: sql`secret_version + 1`,
      updated_at: sql`now()`,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returning(METADATA)
    .executeTakeFirst()
}

export async function deleteCredential(
  trx: Trx,
  tenantId: string,
  id: string,
): Promise<Pick<CredentialMetadataRow, 'id' | 'field_names'> | undefined> {
  return trx
    .deleteFrom('credentials')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returning(['id', 'field_names'])
    .executeTakeFirst()
}

/** The ciphertext and what it is bound to, for the moment of use. */
export async function findSecret(
  trx: Trx,
  tenantId: string,
  id: string,
): Promise<{ id: string; field_names: string[]; secret: Uint8Array } | undefined> {
  return trx
    .selectFrom('credentials')
    .select(['id', 'field_names', 'secret'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function markUsed(trx: Trx, tenantId: string, id: string): Promise<void> {
  await trx
    .updateTable('credentials')
    .set({ last_used_at: sql`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute()
}
