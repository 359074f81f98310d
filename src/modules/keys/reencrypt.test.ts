// KMS-1: `keys reencrypt` moves every field of a tenant to its newest key version in batches,
// survives a crash part-way and carries on; afterwards the old version can be retired, and not
// before.
import { randomUUID } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabase, type TestDatabase } from '../../../test/support/database.ts'
import { createTestKeys, type TestKeys } from '../../../test/support/keys.ts'
import { SYSTEM_META } from '../../context.ts'
import type { KmsError } from '../../crypto/errors.ts'
import { decryptField, encryptField, keyVersionOf } from '../../crypto/field-encryption.ts'
import { enableTenantIsolation } from '../../db/rls.ts'
import { withTenant } from '../../db/tenant.ts'
import { sequencePending } from '../audit/audit.service.ts'
import { retireTenantKey, rotateTenantKey } from './keys.service.ts'
import { reencryptTenant } from './reencrypt.service.ts'

const COLUMN = { table: 'scratch_secrets', column: 'secret', idColumn: 'id' }
const ROWS = 53

let database: TestDatabase
let keys: TestKeys
let ctx: { db: TestDatabase['handle']; keys: TestKeys['keyring'] }
const tenant = randomUUID()
const neighbour = randomUUID()

async function seed(tenantId: string, n: number): Promise<Map<string, string>> {
  const values = new Map<string, string>()
  await withTenant(database.handle, tenantId, async (trx) => {
    for (let i = 0; i < n; i++) {
      const id = randomUUID()
      const value = `value ${i} of ${tenantId}`
      const secret = await encryptField(keys.keyring, { tenantId, ...COLUMN, rowId: id }, value)
      await sql`INSERT INTO scratch_secrets (id, tenant_id, secret) VALUES (${id}, ${tenantId}, ${secret})`.execute(
        trx,
      )
      values.set(id, value)
    }
  })
  return values
}

async function stored(tenantId: string): Promise<{ id: string; secret: Uint8Array }[]> {
  return withTenant(database.handle, tenantId, async (trx) => {
    const { rows } = await sql<{ id: string; secret: Uint8Array }>`
      SELECT id::text, secret FROM scratch_secrets ORDER BY id`.execute(trx)
    return rows
  })
}

beforeAll(async () => {
  database = await openTestDatabase()
  keys = createTestKeys()
  ctx = { db: database.handle, keys: keys.keyring }
  const owner = database.handle.db as unknown as Kysely<unknown>
  await sql`CREATE TABLE scratch_secrets (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, secret bytea)`.execute(
    owner,
  )
  await enableTenantIsolation(owner, database.handle.appRole, 'scratch_secrets')
  await sql`GRANT SELECT, INSERT, UPDATE ON scratch_secrets TO ${sql.id(database.handle.appRole)}`.execute(
    owner,
  )
  await keys.keyring.createTenantKey(tenant)
  await keys.keyring.createTenantKey(neighbour)
})
afterAll(() => database.dispose())

describe('KMS-1 re-encryption', () => {
  it('KMS-1: moves every field to the newest version in batches, resumes after a crash, then allows retiring', async () => {
    const values = await seed(tenant, ROWS)
    const neighbours = await seed(neighbour, 5)
    expect(await rotateTenantKey(ctx, tenant, SYSTEM_META)).toBe(2)

    // Retiring v1 now would orphan 53 fields: refused.
    const early = await retireTenantKey(ctx, tenant, 1, SYSTEM_META, [COLUMN]).catch(
      (e: unknown) => e,
    )
    expect((early as KmsError).reason).toBe('key_version_in_use')
    expect((early as KmsError).message).toMatch(/53 stored field\(s\) still use version 1/)

    // The first run dies after its second batch of 10.
    const progress: [number, number][] = []
    const crash = await reencryptTenant(
      ctx,
      tenant,
      {
        batchSize: 10,
        columns: [COLUMN],
        onProgress: (done, total) => progress.push([done, total]),
        afterBatch: (batch) => {
          if (batch === 2) throw new Error('simulated crash')
        },
      },
      SYSTEM_META,
    ).catch((e: Error) => e)
    expect((crash as Error).message).toBe('simulated crash')
    expect(progress).toEqual([
      [10, ROWS],
      [20, ROWS],
    ])
    const afterCrash = await stored(tenant)
    expect(afterCrash.filter((r) => keyVersionOf(r.secret) === 2)).toHaveLength(20)

    // The re-run carries on with the 33 left, and counts only those.
    const result = await reencryptTenant(
      ctx,
      tenant,
      { batchSize: 10, columns: [COLUMN] },
      SYSTEM_META,
    )
    expect(result).toEqual({ version: 2, moved: ROWS - 20, skipped: 0, remaining: 0 })
    for (const row of await stored(tenant)) {
      expect(keyVersionOf(row.secret)).toBe(2)
      const ref = { tenantId: tenant, ...COLUMN, rowId: row.id }
      expect((await decryptField(keys.keyring, ref, row.secret)).toString()).toBe(
        values.get(row.id),
      )
    }
    // The neighbour's rows were not touched.
    for (const row of await stored(neighbour)) {
      expect(keyVersionOf(row.secret)).toBe(1)
      const ref = { tenantId: neighbour, ...COLUMN, rowId: row.id }
      expect((await decryptField(keys.keyring, ref, row.secret)).toString()).toBe(
        neighbours.get(row.id),
      )
    }

    await retireTenantKey(ctx, tenant, 1, SYSTEM_META, [COLUMN])
    expect((await keys.keyring.status(tenant)).versions.map((v) => v.state)).toEqual([
      'retired',
      'active',
    ])
    // Every batch and every key action is in the tenant's audit log, with names, no values.
    await sequencePending(database.handle, tenant)
    const events = await withTenant(database.handle, tenant, async (trx) =>
      (
        await trx
          .selectFrom('audit_entries')
          .select('event')
          .where('tenant_id', '=', tenant)
          .orderBy('idx')
          .execute()
      ).map((e) => JSON.parse(e.event) as { action: string; fields?: string[]; reason?: string }),
    )
    const actions = events.map((e) => e.action)
    expect(actions[0]).toBe('key.rotate')
    expect(actions.filter((a) => a === 'key.reencrypt')).toHaveLength(6) // 2 + 4 batches
    expect(actions.at(-1)).toBe('key.retire')
    expect(events.find((e) => e.action === 'key.reencrypt')).toMatchObject({
      fields: ['secret'],
      reason: 'v2',
    })
    expect(JSON.stringify(events)).not.toMatch(/value \d+ of/)
  })

  it('KMS-1: with nothing to move, a run changes nothing and says so', async () => {
    const result = await reencryptTenant(
      ctx,
      tenant,
      { batchSize: 100, columns: [COLUMN] },
      SYSTEM_META,
    )
    expect(result).toEqual({ version: 2, moved: 0, skipped: 0, remaining: 0 })
  })
})
