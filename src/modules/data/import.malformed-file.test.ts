// Invariant: a malformed import commits nothing bad: invalid rows never land, a failing batch lands none of its rows, atomic mode commits nothing.
// Nothing from the batch holding the problem row on is committed; the batches before it stay.
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedIn,
  type SignedUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { type KeyServices, openKeyServices } from '../../crypto/key-services.ts'
import { AppError } from '../../http/errors.ts'
import { newOrg } from '../access/groups.test-support.ts'
import { call, loggedEvents, newCollection } from './data.test-support.ts'
import { importAsOperator } from './import.service.ts'
import { csvOf, importInto, ndjsonOf, storedRows, valuesByKey } from './import.test-support.ts'

let t: TestApp
let keys: KeyServices
let org: SignedUp
let owner: SignedIn

beforeAll(async () => {
  t = await createTestApp({ env: { RAMPART_DATA_IMPORT_BATCH_ROWS: '5' } })
  keys = await openKeyServices(t.config.keys)
  ;({ org, owner } = await newOrg(t))
})
afterAll(async () => {
  await keys.close()
  await t.close()
})

const named = (n: number) => ({ name: `Row ${n}` })
const rowsOf = (count: number) => Array.from({ length: count }, (_, i) => named(i + 1))

async function importEvents(collectionId: string) {
  return (await loggedEvents(t, org.tenant.id)).filter(
    (e) => e.action === 'record.import' && e.target?.id === collectionId,
  )
}

describe('malformed imports', () => {
  it('DATA-1: a CSV header that does not fit the schema stops the file at row 0 with nothing committed', async () => {
    const c = await newCollection(t, owner)
    const cases: [string, string][] = [
      ['name,colour\r\nAda,red\r\n', 'unknown_column'],
      ['name,age,name\r\nAda,3,Ada\r\n', 'duplicate_column'],
      ['age,city\r\n3,Paris\r\n', 'missing_column'],
      ['name,,age\r\nAda,,3\r\n', 'empty_column_name'],
      ['', 'missing_header'],
      ['\r\n\r\n', 'missing_header'],
    ]
    for (const [body, reason] of cases) {
      const res = await importInto(t, owner, c.id, body)
      expect(res.statusCode, body).toBe(422)
      expect(res.json().error.code).toBe('DATA_IMPORT_FILE_INVALID')
      expect(res.json().error.details).toMatchObject({ row: 0, reason, report: { imported: 0 } })
    }
    expect(await storedRows(t, c.id)).toEqual([])
  })

  it('DATA-1: broken CSV quoting at row 12 keeps the two batches before it and commits nothing from its batch on', async () => {
    const c = await newCollection(t, owner)
    const rows: string[][] = rowsOf(15).map((r) => [r.name, '1'])
    rows[2] = ['Row 3', 'not a number']
    const lines = csvOf(['name', 'age'], rows).split('\r\n')
    // Data row 12 is line 13: an opening quote inside an unquoted cell.
    lines[12] = 'Row 12,x"y'
    const res = await importInto(t, owner, c.id, lines.join('\r\n'))
    expect(res.statusCode, res.body).toBe(422)
    const { error } = res.json()
    expect(error.code).toBe('DATA_IMPORT_FILE_INVALID')
    expect(error.details).toMatchObject({
      row: 12,
      reason: 'malformed_csv',
      report: { received: 11, imported: 9, rejected: 1, batches: 2, settledThroughRow: 10 },
    })
    expect(error.message).not.toContain('x"y')
    const names = [...(await valuesByKey(t, owner, c.id, 'name')).keys()].sort()
    expect(names).toEqual([
      'Row 1',
      'Row 10',
      'Row 2',
      'Row 4',
      'Row 5',
      'Row 6',
      'Row 7',
      'Row 8',
      'Row 9',
    ])
    expect(await importEvents(c.id)).toHaveLength(2)
  })

  it('DATA-1: a malformed JSON element stops the file at its row; the batch it is in is not committed', async () => {
    const c = await newCollection(t, owner)
    const elements = rowsOf(9).map((r) => JSON.stringify(r))
    elements[7] = '{"name": "Row 8", "age": 01}'
    const res = await importInto(t, owner, c.id, `[${elements.join(',')}]`, { format: 'json' })
    expect(res.statusCode, res.body).toBe(422)
    expect(res.json().error.details).toMatchObject({
      row: 8,
      reason: 'malformed_json',
      report: { received: 7, imported: 5, batches: 1, settledThroughRow: 5 },
    })
    expect(await storedRows(t, c.id)).toHaveLength(5)

    for (const [body, reason, row] of [
      ['{"name": "not in an array"}', 'not_an_array', 0],
      ['', 'not_an_array', 0],
      ['[{"name": "Ada"}, {"name": "Bob"}', 'malformed_json', 2],
      ['[{"name": "Ada"},]', 'malformed_json', 2],
      ['[{"name": "Ada"}] {"name": "Bob"}', 'malformed_json', 2],
      ['[{"name": "Ada"} {"name": "Bob"}]', 'malformed_json', 1],
    ] as const) {
      const other = await importInto(t, owner, c.id, body, { format: 'json' })
      expect(other.statusCode, body).toBe(422)
      expect(other.json().error.details, body).toMatchObject({ row, reason })
    }
    expect(await storedRows(t, c.id)).toHaveLength(5)
  })

  it('SEC-3: bytes that are not UTF-8 stop the file instead of being stored as replacement characters', async () => {
    const c = await newCollection(t, owner)
    const body = Buffer.concat([
      Buffer.from('name\r\nAda\r\nB'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('b\r\n'),
    ])
    const res = await importInto(t, owner, c.id, body)
    expect(res.statusCode).toBe(422)
    expect(res.json().error.details).toMatchObject({
      reason: 'invalid_utf8',
      report: { imported: 0 },
    })
    expect(await storedRows(t, c.id)).toEqual([])
  })

  it('DATA-1: a batch whose collection was deleted meanwhile fails whole: the earlier batch stays, none of its rows land', async () => {
    const c = await newCollection(t, owner)
    let batches = 0
    const run = importAsOperator(
      { config: t.config, db: t.database.handle, keys: keys.keyring },
      org.tenant.id,
      c.id,
      Readable.from([ndjsonOf(rowsOf(12))]),
      {
        format: 'ndjson',
        atomic: false,
        onProgress: async () => {
          batches += 1
          // Between batch 1 (committed) and batch 2 (read next): the collection is deleted.
          if (batches === 1)
            expect((await call(t, owner, 'DELETE', `/api/v1/collections/${c.id}`)).statusCode).toBe(
              200,
            )
        },
      },
    )
    const err = await run.then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('DATA_COLLECTION_NOT_FOUND')
    expect((err as AppError).details).toMatchObject({
      // Rows are read on while a batch commits, so all 12 were read; only batch 1 landed.
      report: { received: 12, imported: 5, batches: 1, settledThroughRow: 5 },
    })
    const stored = await storedRows(t, c.id)
    expect(stored).toHaveLength(5)
    expect(await importEvents(c.id)).toHaveLength(1)
  })

  it('DATA-1: a body cut off mid-upload stops the file; the batches before stay, the one being read does not', async () => {
    const c = await newCollection(t, owner)
    async function* cutOff(): AsyncGenerator<string> {
      yield ndjsonOf(rowsOf(7))
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' })
    }
    const err = await importAsOperator(
      { config: t.config, db: t.database.handle, keys: keys.keyring },
      org.tenant.id,
      c.id,
      cutOff(),
      { format: 'ndjson', atomic: false },
    ).then(
      () => null,
      (e: unknown) => e,
    )
    expect((err as AppError).code).toBe('DATA_IMPORT_FILE_INVALID')
    expect((err as AppError).details).toMatchObject({
      row: 8,
      reason: 'upload_interrupted',
      report: { received: 7, imported: 5, settledThroughRow: 5 },
    })
    expect(await storedRows(t, c.id)).toHaveLength(5)
  })

  it('DATA-1: a schema change mid-import stops it before the next batch commits', async () => {
    const c = await newCollection(t, owner)
    let changed = false
    const err = await importAsOperator(
      { config: t.config, db: t.database.handle, keys: keys.keyring },
      org.tenant.id,
      c.id,
      Readable.from([ndjsonOf(rowsOf(8))]),
      {
        format: 'ndjson',
        atomic: false,
        onProgress: async () => {
          if (changed) return
          changed = true
          const fields = [
            ...c.fields,
            { key: 'note', label: 'Note', type: 'text', classification: 'public', required: false },
          ]
          const patched = await call(t, owner, 'PATCH', `/api/v1/collections/${c.id}`, {
            fields,
            expectedVersion: c.schemaVersion,
          })
          expect(patched.statusCode, patched.body).toBe(200)
        },
      },
    ).then(
      () => null,
      (e: unknown) => e,
    )
    expect((err as AppError).code).toBe('DATA_IMPORT_SCHEMA_CHANGED')
    expect((err as AppError).statusCode).toBe(409)
    expect(await storedRows(t, c.id)).toHaveLength(5)
  })

  it('DATA-1: atomic mode commits nothing when any row is rejected, and still reports every rejected row', async () => {
    const c = await newCollection(t, owner)
    const rows: object[] = rowsOf(12)
    rows[1] = { name: 'Row 2', age: 'two' }
    rows[10] = { name: 'Row 11', tier: 'wood' }
    const res = await importInto(t, owner, c.id, ndjsonOf(rows), { format: 'ndjson', atomic: true })
    expect(res.statusCode, res.body).toBe(422)
    expect(res.json().error.code).toBe('DATA_IMPORT_REJECTED')
    expect(res.json().error.details.report).toMatchObject({
      atomic: true,
      received: 12,
      imported: 0,
      rejected: 2,
      batches: 0,
      settledThroughRow: 0,
    })
    expect(res.json().error.details.report.issues.map((i: { row: number }) => i.row)).toEqual([
      2, 11,
    ])
    expect(await storedRows(t, c.id)).toEqual([])

    const malformed = await importInto(
      t,
      owner,
      c.id,
      `[${rowsOf(9)
        .map((r) => JSON.stringify(r))
        .join(',')},{]`,
      {
        format: 'json',
        atomic: true,
      },
    )
    expect(malformed.statusCode).toBe(422)
    expect(malformed.json().error.details).toMatchObject({
      row: 10,
      report: { imported: 0, settledThroughRow: 0 },
    })
    expect(await storedRows(t, c.id)).toEqual([])
    expect(await importEvents(c.id)).toEqual([])

    const good = await importInto(t, owner, c.id, ndjsonOf(rowsOf(12)), {
      format: 'ndjson',
      atomic: true,
    })
    expect(good.json()).toMatchObject({
      atomic: true,
      imported: 12,
      batches: 1,
      settledThroughRow: 12,
    })
    expect(await storedRows(t, c.id)).toHaveLength(12)
  })
})
