// SEC-3: hostile input to the collections and records routes gets a clear 4xx with a stable code
// (a 422 naming the field for a value that breaks the schema), never a 500; injection strings in
// values, filter values and filter keys are data, never SQL; another tenant's ids are not found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, signInBearer, signUp } from '../../../test/support/app.ts'
import { newOrg } from '../access/groups.test-support.ts'
import type { Collection } from './collections.service.ts'
import {
  call,
  createDataTestApp,
  type DataTestApp,
  newCollection,
  newRecord,
} from './data.test-support.ts'
import type { DataRecord } from './records.service.ts'

let t: DataTestApp
let owner: SignedIn
let people: Collection
let records: string

const SQL = ["' OR '1'='1", "'); DROP TABLE records; --", '1; SELECT pg_sleep(10)', '$1', '\\']

async function post(values: unknown) {
  return t.app.inject({
    method: 'POST',
    url: records,
    headers: owner.authorization,
    payload: { values } as object,
  })
}

function issues(res: { json(): { error: { details: { issues: { code: string }[] } } } }) {
  return res.json().error.details.issues.map((i) => i.code)
}

beforeAll(async () => {
  t = await createDataTestApp()
  ;({ owner } = await newOrg(t))
  people = await newCollection(t, owner)
  records = `/api/v1/collections/${people.id}/records`
})
afterAll(() => t.close())

describe('SEC-3 hostile input to records', () => {
  it.each([
    ['a string for a number', { name: 'x', age: '42' }, 'age', 'wrong_type'],
    ['a number for a text', { name: 42 }, 'name', 'wrong_type'],
    ['an array for a text', { name: ['a'] }, 'name', 'wrong_type'],
    ['an object for a text', { name: { $gt: '' } }, 'name', 'wrong_type'],
    ['a string for a boolean', { name: 'x', active: 'true' }, 'active', 'wrong_type'],
    ['a number for a date', { name: 'x', joined: 20260101 }, 'joined', 'wrong_type'],
    ['a date with time', { name: 'x', joined: '2026-01-01T00:00:00Z' }, 'joined', 'invalid_date'],
    ['29 February of a common year', { name: 'x', joined: '2027-02-29' }, 'joined', 'invalid_date'],
    ['year zero', { name: 'x', joined: '0000-01-01' }, 'joined', 'invalid_date'],
    ['an option in another case', { name: 'x', tier: 'GOLD' }, 'tier', 'not_an_option'],
    ['a prototype key', { name: 'x', constructor: 'y' }, 'constructor', 'unknown_field'],
    ['a control character', { name: 'a\u0007b' }, 'name', 'unsafe_text'],
    ['a NUL byte', { name: 'a\u0000b' }, 'name', 'unsafe_text'],
    ['a right-to-left override', { name: 'evil\u202etxt.exe' }, 'name', 'unsafe_text'],
    ['a lone surrogate', { name: 'a\ud800b' }, 'name', 'unsafe_text'],
    ['a line break', { name: 'two\nlines' }, 'name', 'unsafe_text'],
    ['10,001 characters', { name: 'x'.repeat(10_001) }, 'name', 'too_long'],
    [
      'an e-mail address with a space',
      { name: 'x', email: 'a b@example.com' },
      'email',
      'invalid_email',
    ],
    [
      'an e-mail address without a domain dot',
      { name: 'x', email: 'a@localhost' },
      'email',
      'invalid_email',
    ],
    ['a required empty text', { name: '   ' }, 'name', 'required'],
  ])('SEC-3: %s is a 422 naming the field', async (_what, values, field, code) => {
    const res = await post(values)
    expect(res.statusCode, res.body).toBe(422)
    expect(res.json().error.code).toBe('DATA_VALUE_INVALID')
    expect(res.json().error.details.issues).toContainEqual(expect.objectContaining({ field, code }))
  })

  it('SEC-3: a number beyond double range is refused as not finite', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: records,
      headers: { ...owner.authorization, 'content-type': 'application/json' },
      payload: '{"values":{"name":"x","age":1e400}}',
    })
    expect(res.statusCode).toBe(422)
    expect(issues(res)).toEqual(['not_finite'])
  })

  it('SEC-3: malformed bodies are 4xx with the standard codes', async () => {
    const cases: [unknown, number, string][] = [
      [null, 400, 'REQUEST_INVALID'],
      ['values', 400, 'REQUEST_INVALID'],
      [[{ name: 'x' }], 400, 'REQUEST_INVALID'],
    ]
    for (const [values, status, code] of cases) {
      const res = await post(values)
      expect(res.statusCode, JSON.stringify(values)).toBe(status)
      expect(res.json().error.code).toBe(code)
    }
    // Prototype poisoning is refused by the JSON parser itself.
    const proto = await t.app.inject({
      method: 'POST',
      url: records,
      headers: { ...owner.authorization, 'content-type': 'application/json' },
      payload: '{"values":{"name":"x","__proto__":{"admin":true}}}',
    })
    expect(proto.statusCode).toBe(400)
    const extra = await call(t, owner, 'POST', records, { values: { name: 'x' }, id: 'mine' })
    expect(extra.json().error.code).toBe('REQUEST_INVALID')
    const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, 1]))
    expect((await post(many)).statusCode).toBe(400)
    const huge = await post({ name: 'x'.repeat(70_000) })
    expect(huge.statusCode).toBe(413)
    expect(huge.json().error.code).toBe('REQUEST_BODY_TOO_LARGE')
    const text = await t.app.inject({
      method: 'POST',
      url: records,
      headers: { ...owner.authorization, 'content-type': 'text/plain' },
      payload: 'name=x',
    })
    expect(text.statusCode).toBe(415)
    const broken = await t.app.inject({
      method: 'POST',
      url: records,
      headers: { ...owner.authorization, 'content-type': 'application/json' },
      payload: '{"values":',
    })
    expect(broken.json().error.code).toBe('REQUEST_MALFORMED_JSON')
  })

  it('SEC-3: unicode is kept (NFC), and injection and CSV-formula strings are stored as plain data', async () => {
    const decomposed = 'Cafe\u0301 \u{1F600} 東京 مرحبا'
    const values = [decomposed, ...SQL, '=cmd|/C calc!A0', '+SUM(A1)', '@import']
    const made: DataRecord[] = []
    for (const city of values) made.push(await newRecord(t, owner, people.id, { name: city, city }))
    expect(made[0]?.values.city).toBe(decomposed.normalize('NFC'))
    expect(made.slice(1).map((r) => r.values.city)).toEqual(values.slice(1))
    // Each one filters back to exactly itself: the value was a parameter, not SQL.
    for (const [i, city] of values.entries()) {
      const res = await call(
        t,
        owner,
        'GET',
        `${records}?filter=${encodeURIComponent(`city:eq:${city.normalize('NFC')}`)}`,
      )
      expect(res.statusCode, city).toBe(200)
      expect(res.json().records.map((r: DataRecord) => r.id)).toEqual([made[i]?.id])
    }
    const like = await call(
      t,
      owner,
      'GET',
      `${records}?filter=${encodeURIComponent('city:contains:%')}`,
    )
    expect(like.json().records).toEqual([])
  })

  it('SEC-3: injection strings in filter keys, operators, sorts and cursors are refused, never run', async () => {
    const queries: [string, number, string][] = [
      ["city' OR '1'='1:eq:x", 422, 'DATA_FIELD_UNKNOWN'],
      ['city)::text; DROP TABLE records; --:eq:x', 422, 'DATA_FIELD_UNKNOWN'],
      ['__proto__:eq:x', 422, 'DATA_FIELD_UNKNOWN'],
      ['constructor:exists', 422, 'DATA_FIELD_UNKNOWN'],
      ["city:eq' OR 1=1 --:x", 400, 'DATA_FILTER_INVALID'],
      ['age:gt:1 OR 1=1', 400, 'DATA_FILTER_INVALID'],
      ['age:in:1,2) OR (1=1', 400, 'DATA_FILTER_INVALID'],
    ]
    for (const [filter, status, code] of queries) {
      const res = await call(t, owner, 'GET', `${records}?filter=${encodeURIComponent(filter)}`)
      expect(res.statusCode, `${filter}: ${res.body}`).toBe(status)
      expect(res.json().error.code).toBe(code)
    }
    const sort = await call(
      t,
      owner,
      'GET',
      `${records}?sort=${encodeURIComponent('age; DROP TABLE x')}`,
    )
    expect(sort.json().error.code).toBe('DATA_FIELD_UNKNOWN')
    // A forged cursor with SQL in its sort value, for a number sort: refused before any query.
    const first = (await call(t, owner, 'GET', `${records}?sort=age&limit=1`)).json()
    const [fingerprint, , id] = JSON.parse(Buffer.from(first.nextCursor, 'base64url').toString())
    for (const forged of [
      [fingerprint, '1) OR (1=1', id],
      [fingerprint, '1', "x' OR '1'='1"],
      [fingerprint, 1, id],
      [fingerprint, null, id, 'extra'],
    ]) {
      const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url')
      const res = await call(t, owner, 'GET', `${records}?sort=age&cursor=${cursor}`)
      expect(res.statusCode, JSON.stringify(forged)).toBe(400)
      expect(res.json().error.code).toBe('DATA_CURSOR_INVALID')
    }
    const many = Array.from({ length: 21 }, () => 'filter=city:exists').join('&')
    expect((await call(t, owner, 'GET', `${records}?${many}`)).statusCode).toBe(400)
    const long = await call(t, owner, 'GET', `${records}?filter=city:eq:${'x'.repeat(2_001)}`)
    expect(long.statusCode).toBe(400)
    const list = Array.from({ length: 101 }, (_, i) => `v${i}`).join(',')
    expect((await call(t, owner, 'GET', `${records}?filter=city:in:${list}`)).statusCode).toBe(400)
    expect((await call(t, owner, 'GET', `${records}?limit=abc`)).statusCode).toBe(400)
    expect((await call(t, owner, 'GET', `${records}?unknown=1`)).statusCode).toBe(400)
  })

  it("AUTHZ-5: another tenant's collection and record ids are not found", async () => {
    const other = await signUp(t.app)
    const otherOwner = await signInBearer(t.app, other)
    const theirs = await newCollection(t, otherOwner)
    const theirRecord = await newRecord(t, otherOwner, theirs.id, { name: 'Theirs' })
    const mine = await newRecord(t, owner, people.id, { name: 'Mine' })
    const cases: [string, string][] = [
      [`/api/v1/collections/${theirs.id}`, 'DATA_COLLECTION_NOT_FOUND'],
      [`/api/v1/collections/${theirs.id}/records`, 'DATA_COLLECTION_NOT_FOUND'],
      [`/api/v1/collections/${theirs.id}/records/${theirRecord.id}`, 'DATA_COLLECTION_NOT_FOUND'],
      [`${records}/${theirRecord.id}`, 'DATA_RECORD_NOT_FOUND'],
      [`/api/v1/collections/${theirs.id}/records/${mine.id}`, 'DATA_COLLECTION_NOT_FOUND'],
    ]
    for (const [url, code] of cases) {
      const res = await call(t, owner, 'GET', url)
      expect(res.statusCode, url).toBe(404)
      expect(res.json().error.code).toBe(code)
      expect(res.body).not.toContain('Theirs')
    }
    const patch = await call(t, owner, 'PATCH', `${records}/${theirRecord.id}`, {
      values: { city: 'x' },
    })
    expect(patch.statusCode).toBe(404)
    const bad = await call(t, owner, 'GET', '/api/v1/collections/not-a-uuid/records')
    expect(bad.statusCode).toBe(400)
    const upper = await call(t, owner, 'GET', `/api/v1/collections/${people.id.toUpperCase()}`)
    expect(upper.statusCode).toBe(400)
  })

  it('SEC-3: parallel record writes all land, each once', async () => {
    const writes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => post({ name: `Parallel ${i}`, age: i })),
    )
    expect(writes.map((w) => w.statusCode)).toEqual(Array(12).fill(201))
    const listed = await call(t, owner, 'GET', `${records}?filter=age:gte:0&limit=200`)
    const ages = listed.json().records.map((r: DataRecord) => r.values.age)
    for (let i = 0; i < 12; i++) expect(ages.filter((a: number) => a === i)).toHaveLength(1)
  })
})
