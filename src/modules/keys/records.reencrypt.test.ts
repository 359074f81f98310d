// KMS-1, KMS-2: `keys reencrypt` moves records' sealed values and data-subject blind indexes to
// the newest tenant key version, locked records included; subject lookups work throughout, and
// `keys retire` refuses an old version until nothing of a record uses it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SignedIn, SignedUp } from '../../../test/support/app.ts'
import { SYSTEM_META } from '../../context.ts'
import type { KmsError } from '../../crypto/errors.ts'
import { keyVersionOf } from '../../crypto/field-encryption.ts'
import { newOrg } from '../access/groups.test-support.ts'
import type { Collection } from '../data/collections.service.ts'
import {
  call,
  createDataTestApp,
  type DataTestApp,
  loggedEvents,
  newCollection,
  newRecord,
  rawRecord,
} from '../data/data.test-support.ts'
import type { DataRecord } from '../data/records.service.ts'
import { encryptedStores, RECORDS_STORE } from './encrypted-stores.ts'
import { keyStatus, retireTenantKey, rotateTenantKey } from './keys.service.ts'
import { reencryptTenant } from './reencrypt.service.ts'

let t: DataTestApp
let org: SignedUp
let owner: SignedIn
let people: Collection
const made: DataRecord[] = []

async function bySubject(email: string): Promise<string[]> {
  const res = await call(
    t,
    owner,
    'GET',
    `/api/v1/collections/${people.id}/records?subject=${encodeURIComponent(email)}`,
  )
  expect(res.statusCode, res.body).toBe(200)
  return res.json().records.map((r: DataRecord) => r.values.name)
}

async function versionsOf(recordId: string): Promise<{ values: number[]; index: number | null }> {
  const row = await rawRecord(t, recordId)
  if (!row) throw new Error('no row')
  return {
    values: Object.values(row.sealed).map((v) => keyVersionOf(Buffer.from(v, 'base64'))),
    index: row.subject_key_version,
  }
}

beforeAll(async () => {
  t = await createDataTestApp()
  ;({ org, owner } = await newOrg(t))
  people = await newCollection(t, owner)
  for (let i = 0; i < 7; i++) {
    made.push(
      await newRecord(t, owner, people.id, {
        name: `Person ${i}`,
        email: `person${i}@example.com`,
        diagnosis: `condition ${i}`,
      }),
    )
  }
  // Locked data is stored data too: a deleted record and a record of a deleted collection.
  await call(t, owner, 'DELETE', `/api/v1/collections/${people.id}/records/${made[6]?.id}`)
  const gone = await newCollection(t, owner)
  made.push(
    await newRecord(t, owner, gone.id, { name: 'In a deleted collection', email: 'x@example.com' }),
  )
  await call(t, owner, 'DELETE', `/api/v1/collections/${gone.id}`)
})
afterAll(() => t.close())

describe('KMS-1 re-encryption of records', () => {
  it('KMS-2: records are one of the stores every reencrypt and retire covers', () => {
    expect(encryptedStores()).toContain(RECORDS_STORE)
    expect(encryptedStores().length).toBeGreaterThan(1)
  })

  it('KMS-1: after a rotation, lookups find old and new records; reencrypt moves all, then v1 retires', async () => {
    const tenantId = org.tenant.id
    expect(await rotateTenantKey(t.ctx, tenantId, SYSTEM_META)).toBe(2)
    const fresh = await newRecord(t, owner, people.id, {
      name: 'After rotation',
      email: 'new@example.com',
    })
    expect(await versionsOf(fresh.id)).toEqual({ values: [2, 2], index: 2 })
    // Indexes under v1 and v2 side by side: both versions are checked.
    expect(await bySubject('PERSON3@example.com')).toEqual(['Person 3'])
    expect(await bySubject('new@example.com')).toEqual(['After rotation'])

    // 8 records: 7 with three values, 1 with two, each with an index under v1.
    const status = await keyStatus(t.ctx, tenantId)
    expect(status.fieldsByVersion[1]).toBe(7 * 3 + 2 + 8)
    const early = await retireTenantKey(t.ctx, tenantId, 1, SYSTEM_META).catch((e: unknown) => e)
    expect((early as KmsError).reason).toBe('key_version_in_use')

    const result = await reencryptTenant(t.ctx, tenantId, { batchSize: 3 }, SYSTEM_META)
    expect(result).toEqual({ version: 2, moved: 8, skipped: 0, remaining: 0 })
    for (const r of made) expect(await versionsOf(r.id)).toMatchObject({ index: 2 })
    for (const r of made) for (const v of (await versionsOf(r.id)).values) expect(v).toBe(2)

    await retireTenantKey(t.ctx, tenantId, 1, SYSTEM_META)
    // Values still read, and lookups still find records indexed before the rotation.
    const one = await call(
      t,
      owner,
      'GET',
      `/api/v1/collections/${people.id}/records/${made[2]?.id}`,
    )
    expect(one.json().values).toMatchObject({ name: 'Person 2', diagnosis: 'condition 2' })
    expect(await bySubject('person3@example.com')).toEqual(['Person 3'])
    expect(await bySubject('new@example.com')).toEqual(['After rotation'])
    // The locked record moved too and comes back readable.
    const restored = await call(
      t,
      owner,
      'POST',
      `/api/v1/collections/${people.id}/records/${made[6]?.id}/restore`,
    )
    expect(restored.json().values.name).toBe('Person 6')

    const moves = (await loggedEvents(t, tenantId)).filter((e) => e.action === 'key.reencrypt')
    expect(moves).toHaveLength(3)
    for (const e of moves) expect(e.fields).toEqual(['sealed', 'subject_index'])
    // Key rotation is not a data change: revisions stay as they were.
    expect(one.json().revision).toBe(1)
  })
})
