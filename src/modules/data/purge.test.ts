// DATA-4: the data-purge job deletes for good what stayed locked past its purge time, and nothing
// else: records deleted on their own, then collections with all their records, schema history
// and grants, in bounded batches, each purge audited with ids only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import { createGroup, newOrg } from '../access/groups.test-support.ts'
import {
  call,
  createDataTestApp,
  type DataTestApp,
  grantCollection,
  loggedEvents,
  newCollection,
  newRecord,
  rawRecord,
} from './data.test-support.ts'
import { dataPurgeJob } from './purge.job.ts'
import { purgeDueData } from './purge.service.ts'

let t: DataTestApp
let org: SignedUp
let owner: SignedIn
let other: SignedUp
let otherOwner: SignedIn

const DAY = 86_400_000
/** A time past every lock the tests make (30 days by default). */
const LATER = () => new Date(Date.now() + 31 * DAY)

async function rowCount(table: 'collections' | 'collection_versions' | 'group_grants', id: string) {
  const column =
    table === 'collections' ? 'id' : table === 'group_grants' ? 'resource_id' : 'collection_id'
  const rows = await t.database.handle.db
    .selectFrom(table)
    .select(column)
    .where(column, '=', id)
    .execute()
  return rows.length
}

beforeAll(async () => {
  t = await createDataTestApp()
  ;({ org, owner } = await newOrg(t))
  other = await signUp(t.app)
  otherOwner = await signInBearer(t.app, other)
})
afterAll(() => t.close())

describe('DATA-4 purge', () => {
  it('DATA-4: nothing is purged before its time; afterwards records, collections, history and grants go', async () => {
    const c = await newCollection(t, owner)
    const kept = await newCollection(t, owner)
    const groupId = await createGroup(t, owner, 'Readers')
    await grantCollection(t, owner, groupId, c.id, 'view')
    const inside = await Promise.all(
      Array.from({ length: 7 }, (_, i) => newRecord(t, owner, c.id, { name: `In ${i}` })),
    )
    const alone = await newRecord(t, owner, kept.id, { name: 'Deleted alone' })
    const live = await newRecord(t, owner, kept.id, { name: 'Stays' })
    const theirs = await newCollection(t, otherOwner)
    const theirRecord = await newRecord(t, otherOwner, theirs.id, { name: 'Theirs' })
    await call(t, owner, 'DELETE', `/api/v1/collections/${kept.id}/records/${alone.id}`)
    await call(t, owner, 'DELETE', `/api/v1/collections/${c.id}`)
    await call(
      t,
      otherOwner,
      'DELETE',
      `/api/v1/collections/${theirs.id}/records/${theirRecord.id}`,
    )

    const early = await purgeDueData(t.ctx)
    expect(early).toEqual({ tenants: 0, collections: 0, records: 0, failed: 0 })
    expect(await rawRecord(t, alone.id)).toBeDefined()

    const report = await purgeDueData(t.ctx, { now: LATER(), batchSize: 3 })
    expect(report).toEqual({ tenants: 2, collections: 1, records: 9, failed: 0 })
    for (const r of [...inside, alone, theirRecord])
      expect(await rawRecord(t, r.id)).toBeUndefined()
    expect(await rawRecord(t, live.id)).toBeDefined()
    expect(await rowCount('collections', c.id)).toBe(0)
    expect(await rowCount('collection_versions', c.id)).toBe(0)
    expect(await rowCount('group_grants', c.id)).toBe(0)
    expect(await rowCount('collections', kept.id)).toBe(1)
    // Nothing left to restore.
    const gone = await call(t, owner, 'POST', `/api/v1/collections/${c.id}/restore`)
    expect(gone.json().error.code).toBe('DATA_NOT_DELETED')

    const events = await loggedEvents(t, org.tenant.id)
    const purges = events.filter((e) => e.action.endsWith('.purge'))
    // One event for the record deleted alone, one per batch of 3 of the collection's 7, then it.
    expect(purges.map((e) => [e.action, e.reason, e.parent?.id ?? e.target?.id])).toEqual([
      ['record.purge', 'lock_expired', kept.id],
      ['record.purge', 'collection_purged', c.id],
      ['record.purge', 'collection_purged', c.id],
      ['record.purge', 'collection_purged', c.id],
      ['collection.purge', 'lock_expired', c.id],
    ])
    for (const e of purges) expect(e.actor).toEqual({ type: 'system' })
    expect(
      events.find((e) => e.action === 'group.grant_remove' && e.target?.id === c.id),
    ).toMatchObject({ reason: 'resource_deleted', actor: { type: 'system' } })
    expect(JSON.stringify(events)).not.toMatch(/In \d|Deleted alone/)
    // The other organisation's purge went to its own log.
    const theirEvents = await loggedEvents(t, other.tenant.id)
    expect(theirEvents.filter((e) => e.action === 'record.purge')).toHaveLength(1)
  })

  it('DATA-4: a restored collection keeps its grants and is never purged', async () => {
    const c = await newCollection(t, owner)
    const groupId = await createGroup(t, owner, 'Editors')
    await grantCollection(t, owner, groupId, c.id, 'edit')
    await call(t, owner, 'DELETE', `/api/v1/collections/${c.id}`)
    expect(await rowCount('group_grants', c.id)).toBe(1)
    await call(t, owner, 'POST', `/api/v1/collections/${c.id}/restore`)
    await purgeDueData(t.ctx, { now: LATER() })
    expect(await rowCount('collections', c.id)).toBe(1)
    expect(await rowCount('group_grants', c.id)).toBe(1)
  })

  it('DATA-4: the data-purge job runs the purge and says what it did', async () => {
    const c = await newCollection(t, owner)
    const r = await newRecord(t, owner, c.id, { name: 'Due' })
    await call(t, owner, 'DELETE', `/api/v1/collections/${c.id}/records/${r.id}`)
    await t.database.handle.db
      .updateTable('records')
      .set({ purge_after: new Date(Date.now() - 1000) })
      .where('id', '=', r.id)
      .execute()
    const log = { info: () => {}, warn: () => {}, error: () => {} }
    const summary = await dataPurgeJob.run({ ...t.ctx, signal: new AbortController().signal, log })
    expect(summary).toBe('purged 0 collection(s) and 1 record(s) in 1 organisation(s)')
    expect(await rawRecord(t, r.id)).toBeUndefined()
    expect(dataPurgeJob.schedule).toEqual({ everyMs: 3_600_000 })
  })
})
