// DATA-1, DATA-2, KMS-2: importing records as CSV, NDJSON and a JSON array: values converted to
// their field types, batches committed and audited, rejected rows reported by row, and personal
// and sensitive values stored only encrypted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedIn,
  type SignedUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { newOrg } from '../access/groups.test-support.ts'
import { loggedEvents, newCollection } from './data.test-support.ts'
import { csvOf, importInto, ndjsonOf, storedRows, valuesByKey } from './import.test-support.ts'

const HEADER = ['name', 'email', 'diagnosis', 'city', 'age', 'active', 'joined', 'tier']

let t: TestApp
let org: SignedUp
let owner: SignedIn

beforeAll(async () => {
  t = await createTestApp({ env: { RAMPART_DATA_IMPORT_BATCH_ROWS: '10' } })
  ;({ org, owner } = await newOrg(t))
})
afterAll(() => t.close())

describe('record import', () => {
  it('DATA-1: a CSV import converts cells to field types, commits in batches and reports rejected rows by row', async () => {
    const c = await newCollection(t, owner)
    const rows: (string | number | boolean | undefined)[][] = []
    for (let i = 1; i <= 25; i++) {
      rows.push([
        `Person ${i}`,
        `p${i}@example.com`,
        undefined,
        'Lyon',
        i,
        i % 2 === 0,
        '2024-02-29',
        'gold',
      ])
    }
    rows[3] = ['Bad age', undefined, undefined, undefined, 'forty', 'true', undefined, undefined]
    rows[11] = [undefined, undefined, undefined, 'Nowhere', 3, 'maybe', '2023-02-30', 'platinum']
    const res = await importInto(t, owner, c.id, csvOf(HEADER, rows))
    expect(res.statusCode, res.body).toBe(200)
    const report = res.json()
    expect(report).toMatchObject({
      format: 'csv',
      atomic: false,
      received: 25,
      imported: 23,
      rejected: 2,
      batches: 3,
      settledThroughRow: 25,
      issuesTruncated: false,
    })
    expect(report.issues).toEqual([
      { row: 4, field: 'age', code: 'wrong_type', message: 'Expected a number' },
      { row: 12, field: 'name', code: 'required', message: 'The field is required' },
      { row: 12, field: 'active', code: 'wrong_type', message: 'Expected a boolean' },
      {
        row: 12,
        field: 'joined',
        code: 'invalid_date',
        message: 'Expected a real calendar date written YYYY-MM-DD',
      },
      { row: 12, field: 'tier', code: 'not_an_option', message: 'Not one of the field options' },
    ])
    const byName = await valuesByKey(t, owner, c.id, 'name')
    expect(byName.size).toBe(23)
    expect(byName.has('Bad age')).toBe(false)
    expect(byName.get('Person 2')).toEqual({
      name: 'Person 2',
      email: 'p2@example.com',
      diagnosis: null,
      city: 'Lyon',
      age: 2,
      active: true,
      joined: '2024-02-29',
      tier: 'gold',
    })
    expect(byName.get('Person 3')?.active).toBe(false)
  })

  it('KMS-2: imported personal and sensitive values are stored only encrypted, and records carry created_by', async () => {
    const c = await newCollection(t, owner)
    const body = csvOf(HEADER, [
      [
        'Grace Hopper',
        'grace@navy.example',
        'Secret diagnosis',
        'Arlington',
        85,
        true,
        '1906-12-09',
        'gold',
      ],
    ])
    const res = await importInto(t, owner, c.id, body)
    expect(res.json().imported).toBe(1)
    const [row] = await storedRows(t, c.id)
    expect(row?.created_by).toBe(org.owner.id)
    expect(Object.keys(row?.sealed ?? {}).sort()).toEqual(['diagnosis', 'email', 'name'])
    expect(row?.data).toEqual({
      city: 'Arlington',
      age: 85,
      active: true,
      joined: '1906-12-09',
      tier: 'gold',
    })
    const stored = JSON.stringify(row)
    for (const secret of ['Grace', 'Hopper', 'grace@navy', 'Secret diagnosis']) {
      expect(stored).not.toContain(secret)
    }
    expect(row?.subject_index).not.toBeNull()
    const found = await t.app.inject({
      method: 'GET',
      url: `/api/v1/collections/${c.id}/records?subject=GRACE@navy.example`,
      headers: owner.authorization,
    })
    expect(found.json().records.map((r: { values: { name: string } }) => r.values.name)).toEqual([
      'Grace Hopper',
    ])
  })

  it('DATA-1: an NDJSON import numbers rows by line, skips blank lines and rejects bad lines alone', async () => {
    const c = await newCollection(t, owner)
    const body = [
      JSON.stringify({ name: 'Ada', age: 36, active: true, joined: '1815-12-10' }),
      '',
      JSON.stringify({ name: 'Bob', age: '36' }),
      '{"name": "Broken",',
      '[1, 2]',
      `${JSON.stringify({ name: 'Cy', tier: 'silver' })}\r`,
      '   ',
      '{"name": "Dee", "unknown_key": 1, "__proto__": {"polluted": true}}',
    ].join('\n')
    const res = await importInto(t, owner, c.id, body, { format: 'ndjson' })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ format: 'ndjson', received: 6, imported: 2, rejected: 4 })
    expect(
      res.json().issues.map((i: { row: number; code: string }) => `${i.row}:${i.code}`),
    ).toEqual([
      '3:wrong_type',
      '4:malformed_line',
      '5:not_an_object',
      '8:unknown_field',
      '8:unknown_field',
    ])
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined()
    const byName = await valuesByKey(t, owner, c.id, 'name')
    expect([...byName.keys()].sort()).toEqual(['Ada', 'Cy'])
    expect(byName.get('Ada')).toMatchObject({ age: 36, active: true, joined: '1815-12-10' })
  })

  it('DATA-1: a JSON array import keeps JSON types and numbers rows by element', async () => {
    const c = await newCollection(t, owner)
    const body = JSON.stringify(
      [
        { name: 'Eve', age: 41.5, active: false, city: 'Köln, "Altstadt"', tier: 'bronze' },
        { name: 'Fay', age: true },
        'not an object',
        { name: 'Gus', email: 'gus@example.org', joined: '2000-01-01' },
        { name: 'Hal', city: { nested: true } },
      ],
      null,
      2,
    )
    const res = await importInto(t, owner, c.id, body, { format: 'json' })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ format: 'json', received: 5, imported: 2, rejected: 3 })
    expect(
      res
        .json()
        .issues.map((i: { row: number; field: string | null; code: string }) => [
          i.row,
          i.field,
          i.code,
        ]),
    ).toEqual([
      [2, 'age', 'wrong_type'],
      [3, null, 'not_an_object'],
      [5, 'city', 'wrong_type'],
    ])
    const byName = await valuesByKey(t, owner, c.id, 'name')
    expect(byName.get('Eve')).toMatchObject({ age: 41.5, active: false, city: 'Köln, "Altstadt"' })
    expect(byName.get('Gus')).toMatchObject({ email: 'gus@example.org', joined: '2000-01-01' })
    const empty = await importInto(t, owner, c.id, ' [ ] ', { format: 'json' })
    expect(empty.json()).toMatchObject({ received: 0, imported: 0, batches: 0 })
  })

  it('LOG-1, DATA-2: each committed batch is audited once, with the imported field names and no values', async () => {
    const c = await newCollection(t, owner)
    const rows = Array.from({ length: 12 }, (_, i) => ({
      name: `Row ${i}`,
      ...(i < 10 ? {} : { age: i }),
    }))
    const res = await importInto(t, owner, c.id, ndjsonOf(rows), { format: 'ndjson' })
    expect(res.json()).toMatchObject({ imported: 12, batches: 2 })
    const events = (await loggedEvents(t, org.tenant.id)).filter(
      (e) => e.action === 'record.import' && e.target?.id === c.id,
    )
    expect(events).toEqual([
      expect.objectContaining({
        outcome: 'success',
        actor: { type: 'user', id: org.owner.id },
        target: { type: 'collection', id: c.id },
        fields: ['name'],
      }),
      expect.objectContaining({ fields: ['name', 'age'] }),
    ])
    expect(JSON.stringify(events)).not.toContain('Row ')
  })

  it('DATA-1: parallel imports into one collection each commit all their rows', async () => {
    const c = await newCollection(t, owner)
    const bodies = [0, 1, 2].map((n) =>
      ndjsonOf(Array.from({ length: 15 }, (_, i) => ({ name: `P${n}-${i}` }))),
    )
    const results = await Promise.all(
      bodies.map((b) => importInto(t, owner, c.id, b, { format: 'ndjson', chunkBytes: 64 })),
    )
    for (const r of results) expect(r.json()).toMatchObject({ imported: 15, rejected: 0 })
    expect(await storedRows(t, c.id)).toHaveLength(45)
  })
})
