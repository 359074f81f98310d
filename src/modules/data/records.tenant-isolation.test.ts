// AUTHZ-5: no data route lets an organisation reach another's collections or records, live or
// locked, by id: every answer is the same 404 as for an id that never existed, nothing of the
// other organisation's rows changes, and row-level security hides them beneath the service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import { withTenant } from '../../db/tenant.ts'
import type { Collection } from './collections.service.ts'
import {
  call,
  createDataTestApp,
  type DataTestApp,
  type Method,
  newCollection,
  newRecord,
} from './data.test-support.ts'
import { findLiveRecord } from './records.repository.ts'
import type { DataRecord } from './records.service.ts'

let t: DataTestApp
let a: SignedUp
let aOwner: SignedIn
let b: SignedUp
let bOwner: SignedIn
let mine: Collection
let theirs: Collection
let theirRecord: DataRecord
let theirLocked: DataRecord
let theirLockedCollection: Collection

async function rowsOfB(): Promise<string> {
  const db = t.database.handle.db
  const records = await db
    .selectFrom('records')
    .selectAll()
    .where('tenant_id', '=', b.tenant.id)
    .orderBy('id')
    .execute()
  const collections = await db
    .selectFrom('collections')
    .selectAll()
    .where('tenant_id', '=', b.tenant.id)
    .orderBy('id')
    .execute()
  return JSON.stringify({ records, collections })
}

beforeAll(async () => {
  t = await createDataTestApp()
  a = await signUp(t.app)
  aOwner = await signInBearer(t.app, a)
  b = await signUp(t.app)
  bOwner = await signInBearer(t.app, b)
  mine = await newCollection(t, aOwner)
  theirs = await newCollection(t, bOwner, { name: 'B secret collection' })
  theirRecord = await newRecord(t, bOwner, theirs.id, { name: 'B secret name', city: 'B town' })
  theirLocked = await newRecord(t, bOwner, theirs.id, { name: 'B locked' })
  await call(t, bOwner, 'DELETE', `/api/v1/collections/${theirs.id}/records/${theirLocked.id}`)
  theirLockedCollection = await newCollection(t, bOwner)
  await call(t, bOwner, 'DELETE', `/api/v1/collections/${theirLockedCollection.id}`)
})
afterAll(() => t.close())

describe('AUTHZ-5 data routes across organisations', () => {
  it("AUTHZ-5: A's owner reaches none of B's collections or records on any route", async () => {
    const before = await rowsOfB()
    const c = `/api/v1/collections/${theirs.id}`
    const requests: [Method, string, unknown, string][] = [
      ['GET', c, undefined, 'DATA_COLLECTION_NOT_FOUND'],
      ['PATCH', c, { name: 'Taken over' }, 'DATA_COLLECTION_NOT_FOUND'],
      ['DELETE', c, undefined, 'DATA_COLLECTION_NOT_FOUND'],
      ['GET', `${c}/versions`, undefined, 'DATA_COLLECTION_NOT_FOUND'],
      [
        'POST',
        `/api/v1/collections/${theirLockedCollection.id}/restore`,
        undefined,
        'DATA_NOT_DELETED',
      ],
      ['GET', `${c}/records`, undefined, 'DATA_COLLECTION_NOT_FOUND'],
      ['GET', `${c}/records?filter=city:eq:B%20town`, undefined, 'DATA_COLLECTION_NOT_FOUND'],
      ['POST', `${c}/records`, { values: { name: 'Planted' } }, 'DATA_COLLECTION_NOT_FOUND'],
      ['GET', `${c}/records/${theirRecord.id}`, undefined, 'DATA_COLLECTION_NOT_FOUND'],
      [
        'PATCH',
        `${c}/records/${theirRecord.id}`,
        { values: { city: 'x' } },
        'DATA_COLLECTION_NOT_FOUND',
      ],
      ['DELETE', `${c}/records/${theirRecord.id}`, undefined, 'DATA_COLLECTION_NOT_FOUND'],
      ['POST', `${c}/records/${theirLocked.id}/restore`, undefined, 'DATA_NOT_DELETED'],
      // B's record ids through A's own collection.
      [
        'GET',
        `/api/v1/collections/${mine.id}/records/${theirRecord.id}`,
        undefined,
        'DATA_RECORD_NOT_FOUND',
      ],
      [
        'PATCH',
        `/api/v1/collections/${mine.id}/records/${theirRecord.id}`,
        { values: { city: 'x' } },
        'DATA_RECORD_NOT_FOUND',
      ],
      [
        'DELETE',
        `/api/v1/collections/${mine.id}/records/${theirRecord.id}`,
        undefined,
        'DATA_RECORD_NOT_FOUND',
      ],
      [
        'POST',
        `/api/v1/collections/${mine.id}/records/${theirLocked.id}/restore`,
        undefined,
        'DATA_NOT_DELETED',
      ],
    ]
    for (const [method, url, body, code] of requests) {
      const res = await call(t, aOwner, method, url, body)
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(404)
      expect(res.json().error.code).toBe(code)
      expect(res.body).not.toMatch(/B secret|B town|B locked/)
    }
    const lists = [
      await call(t, aOwner, 'GET', '/api/v1/collections'),
      await call(t, aOwner, 'GET', '/api/v1/recently-deleted'),
    ]
    for (const res of lists) {
      expect(res.statusCode).toBe(200)
      expect(res.body).not.toContain(theirs.id)
      expect(res.body).not.toContain(theirLocked.id)
      expect(res.body).not.toContain(theirLockedCollection.id)
    }
    expect(await rowsOfB()).toBe(before)
  })

  it("AUTHZ-5: beneath the service, row-level security hides B's rows from A's transaction", async () => {
    const seen = await withTenant(t.database.handle, a.tenant.id, async (trx) => ({
      // The repository's own tenant filter set to B's id: row-level security still says no.
      byRepository: await findLiveRecord(trx, b.tenant.id, theirs.id, theirRecord.id),
      all: await trx.selectFrom('records').select('id').execute(),
    }))
    expect(seen.byRepository).toBeUndefined()
    expect(seen.all.map((r) => r.id)).not.toContain(theirRecord.id)
  })
})
