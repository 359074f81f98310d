// KMS-1: the production tenant key store, a PostgreSQL database of its own (RAMPART_KEYSTORE_URL),
// so the main database and its backups never hold a tenant key, not even wrapped. The store
// creates its two tables itself; its login needs nothing else.
import { type Kysely, sql } from 'kysely'
import { openDatabase } from '../db/connection.ts'
import {
  KeyStoreError,
  type StoredTenantKey,
  type TenantKeyStore,
  type TenantKeys,
} from './key-store.ts'

interface KeyRow {
  tenant_id: string
  version: number
  state: StoredTenantKey['state']
  master_key_id: string
  wrapped: Uint8Array
  created_at: Date
  retired_at: Date | null
}

/** The store over an open connection (PostgreSQL in production; tests also use PGlite). */
export async function sqlKeyStore(
  db: Kysely<unknown>,
  describeAs: string,
  close: () => Promise<void>,
): Promise<TenantKeyStore> {
  await sql`
    CREATE TABLE IF NOT EXISTS rampart_tenant_keys (
      tenant_id uuid NOT NULL,
      version integer NOT NULL CHECK (version > 0),
      state text NOT NULL CHECK (state IN ('active', 'retired')),
      master_key_id text NOT NULL,
      wrapped bytea NOT NULL,
      created_at timestamptz NOT NULL,
      retired_at timestamptz,
      PRIMARY KEY (tenant_id, version)
    )`.execute(db)
  await sql`
    CREATE TABLE IF NOT EXISTS rampart_tenant_key_tombstones (
      tenant_id uuid PRIMARY KEY,
      shredded_at timestamptz NOT NULL
    )`.execute(db)

  const shreddedAt = async (trx: Kysely<unknown>, tenantId: string): Promise<Date | null> => {
    const { rows } = await sql<{ shredded_at: Date }>`
      SELECT shredded_at FROM rampart_tenant_key_tombstones WHERE tenant_id = ${tenantId}::uuid
    `.execute(trx)
    return rows[0]?.shredded_at ?? null
  }

  return {
    describe: () => describeAs,
    async read(tenantId): Promise<TenantKeys> {
      const { rows } = await sql<KeyRow>`
        SELECT * FROM rampart_tenant_keys WHERE tenant_id = ${tenantId}::uuid ORDER BY version
      `.execute(db)
      return {
        shreddedAt: await shreddedAt(db, tenantId),
        versions: rows.map((r) => ({
          tenantId: r.tenant_id,
          version: r.version,
          state: r.state,
          masterKeyId: r.master_key_id,
          wrapped: Buffer.from(r.wrapped),
          createdAt: r.created_at,
          retiredAt: r.retired_at,
        })),
      }
    },
    async add(key) {
      await db.transaction().execute(async (trx) => {
        // One advisory lock per tenant: a shred and an add cannot interleave.
        await sql`SELECT pg_advisory_xact_lock(hashtext(${key.tenantId}))`.execute(trx)
        if (await shreddedAt(trx, key.tenantId)) {
          throw new KeyStoreError('shredded', 'the tenant was crypto-shredded')
        }
        const { rows } = await sql`
          INSERT INTO rampart_tenant_keys
            (tenant_id, version, state, master_key_id, wrapped, created_at)
          VALUES (${key.tenantId}::uuid, ${key.version}, ${key.state}, ${key.masterKeyId},
            ${key.wrapped}, ${key.createdAt})
          ON CONFLICT DO NOTHING RETURNING version`.execute(trx)
        if (rows.length === 0) {
          throw new KeyStoreError('version_exists', `version ${key.version} exists`)
        }
      })
    },
    async rewrap(tenantId, version, fromMasterKeyId, to) {
      const result = await sql`
        UPDATE rampart_tenant_keys SET master_key_id = ${to.masterKeyId}, wrapped = ${to.wrapped}
        WHERE tenant_id = ${tenantId}::uuid AND version = ${version}
          AND master_key_id = ${fromMasterKeyId}`.execute(db)
      return Number(result.numAffectedRows ?? 0) === 1
    },
    async retire(tenantId, version, at) {
      const result = await sql`
        UPDATE rampart_tenant_keys SET state = 'retired', retired_at = ${at}
        WHERE tenant_id = ${tenantId}::uuid AND version = ${version}`.execute(db)
      if (Number(result.numAffectedRows ?? 0) !== 1) {
        throw new KeyStoreError('unknown_version', `no key version ${version}`)
      }
    },
    async shred(tenantId, at) {
      return db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtext(${tenantId}))`.execute(trx)
        const result = await sql`
          DELETE FROM rampart_tenant_keys WHERE tenant_id = ${tenantId}::uuid`.execute(trx)
        await sql`
          INSERT INTO rampart_tenant_key_tombstones (tenant_id, shredded_at)
          VALUES (${tenantId}::uuid, ${at}) ON CONFLICT DO NOTHING`.execute(trx)
        return Number(result.numAffectedRows ?? 0)
      })
    },
    async tenants() {
      const { rows } = await sql<{ tenant_id: string }>`
        SELECT tenant_id FROM rampart_tenant_keys
        UNION SELECT tenant_id FROM rampart_tenant_key_tombstones`.execute(db)
      return rows.map((r) => r.tenant_id)
    },
    close,
  }
}

/** Opens the key store database at `url` (PostgreSQL). */
export async function openSqlKeyStore(url: string): Promise<TenantKeyStore> {
  // The app role is not used here: this connection only ever touches the key store's tables.
  const handle = await openDatabase({ databaseUrl: url, appRole: 'rampart_app', poolSize: 4 })
  const where = new URL(url)
  return sqlKeyStore(
    handle.db as unknown as Kysely<unknown>,
    `postgres ${where.host}${where.pathname}`,
    () => handle.close(),
  )
}
