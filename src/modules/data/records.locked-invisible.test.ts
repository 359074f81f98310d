// DATA-4: a locked (deleted, not yet purged) record, and every record of a locked collection, is
// invisible to every route but the recently-deleted view and the restore, for admins too; past
// its purge time nothing can restore it.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SignedIn } from '../../../test/support/app.ts'
import { newOrg } from '../access/groups.test-support.ts'
import type { Collection } from './collections.service.ts'
import {
  call,
  createDataTestApp,
  type DataTestApp,
  type Method,
  newCollection,
  newRecord,
} from './data.test-support.ts'
import type { DataRecord } from './records.service.ts'

let t: DataTestApp
let owner: SignedIn
let people: Collection

const recordsOf = (c: Collection) => `/api/v1/collections/${c.id}/records`

/** Every list query that could surface the record: plain, filtered, sorted, by subject. */
const LIST_QUERIES = [
  '',
  '?filter=city:eq:Hidden%20Town',
  '?filter=city:exists&sort=city',
  '?sort=-updatedAt&limit=200',
  '?subject=hidden@example.com',
]

async function listedIds(c: Collection, query: string): Promise<string[]> {
  const res = await call(t, owner, 'GET', `${recordsOf(c)}${query}`)
  expect(res.statusCode, res.body).toBe(200)
  return res.json().records.map((r: DataRecord) => r.id)
}

async function expectInvisible(c: Collection, r: DataRecord, code: string): Promise<void> {
  const url = `${recordsOf(c)}/${r.id}`
  const direct: [Method, string, unknown?][] = [
    ['GET', url],
    ['PATCH', url, { values: { city: 'Found' } }],
    ['DELETE', url],
  ]
  for (const [method, path, body] of direct) {
    const res = await call(t, owner, method, path, body)
    expect(res.statusCode, `${method} ${res.body}`).toBe(404)
    expect(res.json().error.code).toBe(code)
  }
}

beforeAll(async () => {
  t = await createDataTestApp()
  ;({ owner } = await newOrg(t))
  people = await newCollection(t, owner)
})
afterAll(() => t.close())

describe('DATA-4 locked records are invisible', () => {
  it('DATA-4: a locked record is gone from get, change, delete and every list, even for an admin', async () => {
    const visible = await newRecord(t, owner, people.id, { name: 'Shown', city: 'Hidden Town' })
    const hidden = await newRecord(t, owner, people.id, {
      name: 'Hidden',
      email: 'hidden@example.com',
      city: 'Hidden Town',
    })
    await call(t, owner, 'DELETE', `${recordsOf(people)}/${hidden.id}`)
    await expectInvisible(people, hidden, 'DATA_RECORD_NOT_FOUND')
    for (const query of LIST_QUERIES) {
      expect(await listedIds(people, query), query).not.toContain(hidden.id)
    }
    expect(await listedIds(people, '?filter=city:eq:Hidden%20Town')).toEqual([visible.id])
    const bin = (await call(t, owner, 'GET', '/api/v1/recently-deleted')).json().items
    expect(bin.map((i: { id: string }) => i.id)).toContain(hidden.id)
  })

  it('DATA-4: every record of a locked collection is invisible, and its record cannot be restored alone', async () => {
    const c = await newCollection(t, owner)
    const live = await newRecord(t, owner, c.id, { name: 'Inside', city: 'Hidden Town' })
    const lockedBefore = await newRecord(t, owner, c.id, { name: 'Gone first' })
    await call(t, owner, 'DELETE', `${recordsOf(c)}/${lockedBefore.id}`)
    await call(t, owner, 'DELETE', `/api/v1/collections/${c.id}`)
    await expectInvisible(c, live, 'DATA_COLLECTION_NOT_FOUND')
    for (const query of LIST_QUERIES) {
      const res = await call(t, owner, 'GET', `${recordsOf(c)}${query}`)
      expect(res.statusCode).toBe(404)
    }
    const create = await call(t, owner, 'POST', recordsOf(c), { values: { name: 'New' } })
    expect(create.json().error.code).toBe('DATA_COLLECTION_NOT_FOUND')
    // The recently-deleted view shows both, the record marked as belonging to a locked collection.
    const bin = (await call(t, owner, 'GET', '/api/v1/recently-deleted')).json().items as {
      id: string
      collectionDeleted: boolean
    }[]
    expect(bin.find((i) => i.id === lockedBefore.id)?.collectionDeleted).toBe(true)
    expect(bin.find((i) => i.id === c.id)?.collectionDeleted).toBe(true)
    expect(bin.find((i) => i.id === live.id)).toBeUndefined()
    const alone = await call(t, owner, 'POST', `${recordsOf(c)}/${lockedBefore.id}/restore`)
    expect(alone.statusCode).toBe(409)
    expect(alone.json().error.code).toBe('DATA_COLLECTION_LOCKED')
    // Restoring the collection brings back its live records, not those deleted on their own.
    await call(t, owner, 'POST', `/api/v1/collections/${c.id}/restore`)
    expect(await listedIds(c, '')).toEqual([live.id])
    const now = await call(t, owner, 'POST', `${recordsOf(c)}/${lockedBefore.id}/restore`)
    expect(now.statusCode).toBe(200)
  })

  it('DATA-4: past its purge time a locked record or collection is no longer restorable', async () => {
    const c = await newCollection(t, owner)
    const r = await newRecord(t, owner, c.id, { name: 'Due' })
    await call(t, owner, 'DELETE', `${recordsOf(c)}/${r.id}`)
    // The lock ran out (the owner connection moves the clock back for this row only).
    await sql`UPDATE records SET deleted_at = now() - interval '31 days',
      purge_after = now() - interval '1 day' WHERE id = ${r.id}`.execute(t.database.handle.db)
    const late = await call(t, owner, 'POST', `${recordsOf(c)}/${r.id}/restore`)
    expect(late.statusCode).toBe(404)
    expect(late.json().error.code).toBe('DATA_NOT_DELETED')
    await call(t, owner, 'DELETE', `/api/v1/collections/${c.id}`)
    await sql`UPDATE collections SET purge_after = now() - interval '1 second' WHERE id = ${c.id}`.execute(
      t.database.handle.db,
    )
    const gone = await call(t, owner, 'POST', `/api/v1/collections/${c.id}/restore`)
    expect(gone.json().error.code).toBe('DATA_NOT_DELETED')
  })
})
