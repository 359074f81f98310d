// DATA-1, DATA-2, DATA-4: the records API end to end: create, read, list with filters, sorts,
// cursors and the data-subject lookup, change, delete and restore, with the audit trail of each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedIn,
  type SignedUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { newOrg } from '../access/groups.test-support.ts'
import type { Collection } from './collections.service.ts'
import { call, loggedEvents, newCollection, newRecord } from './data.test-support.ts'
import type { RecordValues } from './records.codec.ts'
import type { DataRecord } from './records.service.ts'

let t: TestApp
let org: SignedUp
let owner: SignedIn
let people: Collection

const records = (c: Collection) => `/api/v1/collections/${c.id}/records`

async function list(query: string, c: Collection = people) {
  const res = await call(t, owner, 'GET', `${records(c)}?${query}`)
  return res
}

async function names(query: string): Promise<string[]> {
  const res = await list(query)
  expect(res.statusCode, res.body).toBe(200)
  return (res.json().records as DataRecord[]).map((r) => r.values.name as string)
}

beforeAll(async () => {
  t = await createTestApp()
  ;({ org, owner } = await newOrg(t))
  people = await newCollection(t, owner)
  const rows: RecordValues[] = [
    {
      name: 'Ada',
      email: 'Ada@Example.com',
      city: 'London',
      age: 36,
      active: true,
      joined: '2026-01-15',
      tier: 'gold',
    },
    {
      name: 'Grace',
      email: 'grace@example.com',
      city: 'New York',
      age: 85,
      active: false,
      joined: '2025-12-09',
      tier: 'silver',
    },
    {
      name: 'Alan',
      email: 'alan@example.com',
      city: 'London',
      age: 41,
      active: true,
      joined: '2026-06-23',
      tier: 'bronze',
    },
    { name: 'Edsger', city: 'Austin, TX', age: 72, tier: 'gold' },
    { name: 'Barbara', email: 'barbara@example.com', age: 36, active: true, joined: '2026-02-28' },
  ]
  for (const values of rows) await newRecord(t, owner, people.id, values)
})
afterAll(() => t.close())

describe('DATA-1 records: create and read', () => {
  it('DATA-1: a record comes back with every field of the schema, null where it has none', async () => {
    const r = await newRecord(t, owner, people.id, { name: 'Katherine', age: 101.5, active: false })
    expect(r).toMatchObject({ collectionId: people.id, revision: 1, createdBy: org.owner.id })
    expect(r.values).toEqual({
      name: 'Katherine',
      email: null,
      diagnosis: null,
      city: null,
      age: 101.5,
      active: false,
      joined: null,
      tier: null,
    })
    const got = await call(t, owner, 'GET', `${records(people)}/${r.id}`)
    expect(got.statusCode).toBe(200)
    expect(got.json()).toEqual(r)
    await call(t, owner, 'DELETE', `${records(people)}/${r.id}`)
  })

  it('DATA-1: a value that breaks the schema is a 422 naming the field and every issue', async () => {
    const res = await call(t, owner, 'POST', records(people), {
      values: {
        age: 'old',
        joined: '2026-02-30',
        tier: 'platinum',
        email: 'not-an-address',
        nope: 1,
      },
    })
    expect(res.statusCode).toBe(422)
    const { error } = res.json()
    expect(error.code).toBe('DATA_VALUE_INVALID')
    expect(error.details.field).toBe('nope')
    expect(
      error.details.issues.map((i: { field: string; code: string }) => `${i.field}:${i.code}`),
    ).toEqual([
      'nope:unknown_field',
      'name:required',
      'email:invalid_email',
      'age:wrong_type',
      'joined:invalid_date',
      'tier:not_an_option',
    ])
    // Messages never repeat the values sent.
    expect(res.body).not.toContain('not-an-address')
    expect(res.body).not.toContain('platinum')
  })
})

describe('DATA-1 records: filters', () => {
  it.each([
    ['city:eq:London', ['Ada', 'Alan']],
    ['city:ne:London', ['Edsger', 'Grace']],
    ['age:gt:40', ['Alan', 'Edsger', 'Grace']],
    ['age:lte:36', ['Ada', 'Barbara']],
    ['age:eq:36.0', ['Ada', 'Barbara']],
    ['joined:gte:2026-02-01', ['Alan', 'Barbara']],
    ['joined:lt:2026-01-01', ['Grace']],
    ['active:eq:true', ['Ada', 'Alan', 'Barbara']],
    ['active:ne:true', ['Grace']],
    ['city:contains:LON', ['Ada', 'Alan']],
    ['city:contains:, T', ['Edsger']],
    ['tier:in:gold,bronze', ['Ada', 'Alan', 'Edsger']],
    ['city:in:Austin\\, TX,New York', ['Edsger', 'Grace']],
    ['age:in:36,72', ['Ada', 'Barbara', 'Edsger']],
    ['joined:missing', ['Edsger']],
    ['city:exists', ['Ada', 'Alan', 'Edsger', 'Grace']],
  ])('DATA-1: filter %s', async (filter, expected) => {
    const got = await names(`filter=${encodeURIComponent(filter)}`)
    expect(got.sort()).toEqual(expected)
  })

  it('DATA-1: filters combine (all must match)', async () => {
    expect((await names('filter=city:eq:London&filter=age:gt:40')).sort()).toEqual(['Alan'])
  })

  it('DATA-1: personal and sensitive fields cannot be filtered or sorted on', async () => {
    for (const query of [
      'filter=name:eq:Ada',
      'filter=diagnosis:exists',
      'sort=email',
      'sort=-name',
    ]) {
      const res = await list(query)
      expect(res.statusCode, query).toBe(422)
      expect(res.json().error.code).toBe('DATA_FIELD_NOT_QUERYABLE')
    }
  })

  it('DATA-1: a malformed filter, an unknown field or operator is a clear 4xx', async () => {
    const cases: [string, number, string][] = [
      ['filter=age', 400, 'DATA_FILTER_INVALID'],
      ['filter=:eq:1', 400, 'DATA_FILTER_INVALID'],
      ['filter=age:like:3', 400, 'DATA_FILTER_INVALID'],
      ['filter=age:contains:3', 400, 'DATA_FILTER_INVALID'],
      ['filter=age:gt:abc', 400, 'DATA_FILTER_INVALID'],
      ['filter=age:gt:1e999', 400, 'DATA_FILTER_INVALID'],
      ['filter=active:eq:yes', 400, 'DATA_FILTER_INVALID'],
      ['filter=joined:lt:2026-13-01', 400, 'DATA_FILTER_INVALID'],
      ['filter=tier:lt:gold', 400, 'DATA_FILTER_INVALID'],
      ['filter=age:exists:1', 400, 'DATA_FILTER_INVALID'],
      ['filter=age:eq', 400, 'DATA_FILTER_INVALID'],
      ['filter=city:in:a\\b', 400, 'DATA_FILTER_INVALID'],
      ['filter=nope:eq:1', 422, 'DATA_FIELD_UNKNOWN'],
      ['sort=nope', 422, 'DATA_FIELD_UNKNOWN'],
      ['sort=-', 400, 'DATA_SORT_INVALID'],
      ['limit=0', 400, 'REQUEST_INVALID'],
      ['limit=201', 400, 'REQUEST_INVALID'],
      ['subject=x', 200, ''],
    ]
    for (const [query, status, code] of cases) {
      const res = await list(query)
      expect(res.statusCode, `${query}: ${res.body}`).toBe(status)
      if (code) expect(res.json().error.code, query).toBe(code)
    }
  })
})

describe('DATA-1 records: sorting and cursor pagination', () => {
  it('DATA-1: sorts by a field either way, records without a value last', async () => {
    expect(await names('sort=age')).toEqual(expect.arrayContaining(['Ada', 'Barbara']))
    const byAge = await names('sort=age')
    expect(byAge.slice(2)).toEqual(['Alan', 'Edsger', 'Grace'])
    expect((await names('sort=-age')).slice(0, 3)).toEqual(['Grace', 'Edsger', 'Alan'])
    const byJoined = await names('sort=-joined')
    expect(byJoined).toEqual(['Alan', 'Barbara', 'Ada', 'Grace', 'Edsger'])
    expect(await names('sort=joined')).toEqual(['Grace', 'Ada', 'Barbara', 'Alan', 'Edsger'])
    expect(await names('sort=createdAt')).toEqual(['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara'])
    expect(await names('')).toEqual(['Barbara', 'Edsger', 'Alan', 'Grace', 'Ada'])
  })

  it('DATA-1: pages of one follow each other without skipping or repeating, equal values included', async () => {
    for (const sort of ['age', '-age', 'tier', '-joined', 'createdAt', '-updatedAt', 'active']) {
      const all = await names(`sort=${sort}&limit=200`)
      const paged: string[] = []
      let cursor: string | null = null
      for (let page = 0; page < 10; page++) {
        const res = await list(
          `sort=${sort}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        )
        expect(res.statusCode, res.body).toBe(200)
        const body = res.json() as { records: DataRecord[]; nextCursor: string | null }
        paged.push(...body.records.map((r) => r.values.name as string))
        cursor = body.nextCursor
        if (!cursor) break
      }
      expect(paged, sort).toEqual(all)
    }
  })

  it('DATA-1: a cursor used with another sort or other filters is refused', async () => {
    const first = (await list('sort=age&limit=2')).json()
    const cursor = encodeURIComponent(first.nextCursor)
    for (const query of [
      `sort=-age&cursor=${cursor}`,
      `sort=age&filter=city:exists&cursor=${cursor}`,
      `sort=age&subject=ada@example.com&cursor=${cursor}`,
      'sort=age&cursor=bm90LWEtY3Vyc29y',
      'sort=age&cursor=!!!',
    ]) {
      const res = await list(query)
      expect(res.statusCode, query).toBe(400)
      expect(res.json().error.code).toBe('DATA_CURSOR_INVALID')
    }
    const again = await list(`sort=age&limit=2&cursor=${cursor}`)
    expect(again.statusCode).toBe(200)
  })
})

describe('DATA-8 records: the data-subject lookup', () => {
  it('DATA-8: subject= finds one person by the blind index, normalised as e-mail', async () => {
    expect(await names('subject=ada@example.com')).toEqual(['Ada'])
    expect(await names(`subject=${encodeURIComponent('  ADA@EXAMPLE.COM ')}`)).toEqual(['Ada'])
    expect(await names('subject=nobody@example.com')).toEqual([])
    expect(await names('subject=')).toEqual([])
    expect(await names('subject=ada@example.com&filter=city:eq:Paris')).toEqual([])
  })

  it('DATA-8: a collection without a subject field refuses subject=', async () => {
    const plain = await newCollection(t, owner, { subjectField: null })
    const res = await list('subject=x', plain)
    expect(res.statusCode).toBe(422)
    expect(res.json().error.code).toBe('DATA_SUBJECT_UNSUPPORTED')
  })
})

describe('DATA-1 records: change, delete, restore; DATA-2 audit', () => {
  it('DATA-1: PATCH changes only the fields given, null clears, revisions guard concurrent edits', async () => {
    const r = await newRecord(t, owner, people.id, {
      name: 'Hedy',
      email: 'hedy@example.com',
      city: 'Vienna',
      age: 40,
    })
    const url = `${records(people)}/${r.id}`
    const changed = await call(t, owner, 'PATCH', url, {
      values: { city: null, age: 41, email: 'hedy.lamarr@example.com' },
      expectedRevision: 1,
    })
    expect(changed.statusCode, changed.body).toBe(200)
    expect(changed.json()).toMatchObject({
      revision: 2,
      values: { name: 'Hedy', email: 'hedy.lamarr@example.com', city: null, age: 41 },
    })
    // The subject index followed the new address.
    expect(await names('subject=hedy.lamarr@example.com')).toEqual(['Hedy'])
    expect(await names('subject=hedy@example.com')).toEqual([])

    const stale = await call(t, owner, 'PATCH', url, { values: { age: 42 }, expectedRevision: 1 })
    expect(stale.statusCode).toBe(409)
    expect(stale.json().error).toMatchObject({
      code: 'DATA_RECORD_REVISION_CONFLICT',
      details: { revision: 2 },
    })
    const required = await call(t, owner, 'PATCH', url, { values: { name: null } })
    expect(required.statusCode).toBe(422)
    expect(required.json().error.details.field).toBe('name')
    // Saving what is there already changes nothing.
    const same = await call(t, owner, 'PATCH', url, { values: { age: 41, name: 'Hedy' } })
    expect(same.json().revision).toBe(2)

    const events = (await loggedEvents(t, org.tenant.id)).filter((e) => e.target?.id === r.id)
    expect(events.map((e) => [e.action, e.fields])).toEqual([
      ['record.create', ['name', 'email', 'city', 'age']],
      ['record.update', ['email', 'city', 'age']],
    ])
    expect(events[1]).toMatchObject({
      category: 'data',
      actor: { type: 'user', id: org.owner.id },
      target: { type: 'record', id: r.id },
      parent: { type: 'collection', id: people.id },
    })
    expect(JSON.stringify(events)).not.toMatch(/Hedy|hedy|Vienna/)
  })

  it('DATA-4: DELETE locks the record until purgeAfter; an admin restores it', async () => {
    const r = await newRecord(t, owner, people.id, { name: 'Radia', city: 'Boston' })
    const url = `${records(people)}/${r.id}`
    const before = Date.now()
    const deleted = await call(t, owner, 'DELETE', url)
    expect(deleted.statusCode).toBe(200)
    const purgeAfter = Date.parse(deleted.json().purgeAfter)
    expect(purgeAfter - before).toBeGreaterThanOrEqual(30 * 86_400_000 - 1000)
    expect(purgeAfter - before).toBeLessThan(30 * 86_400_000 + 60_000)
    expect((await call(t, owner, 'GET', url)).statusCode).toBe(404)
    expect((await call(t, owner, 'DELETE', url)).statusCode).toBe(404)
    expect(await names('filter=city:eq:Boston')).toEqual([])

    const bin = await call(t, owner, 'GET', '/api/v1/recently-deleted')
    expect(bin.statusCode).toBe(200)
    expect(bin.json().items[0]).toMatchObject({
      type: 'record',
      id: r.id,
      collectionId: people.id,
      collectionName: people.name,
      collectionDeleted: false,
      deletedBy: org.owner.id,
      purgeAfter: deleted.json().purgeAfter,
    })

    const restored = await call(t, owner, 'POST', `${url}/restore`)
    expect(restored.statusCode).toBe(200)
    expect(restored.json().values).toMatchObject({ name: 'Radia', city: 'Boston' })
    expect((await call(t, owner, 'GET', url)).statusCode).toBe(200)
    expect((await call(t, owner, 'POST', `${url}/restore`)).statusCode).toBe(404)
    const actions = (await loggedEvents(t, org.tenant.id))
      .filter((e) => e.target?.id === r.id)
      .map((e) => e.action)
    expect(actions).toEqual(['record.create', 'record.delete', 'record.restore'])
  })
})
