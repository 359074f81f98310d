// Invariant: no import body, however hostile, gets a 500, lands where the caller may not write, or is stored as anything but its values.
// Oversize bodies stop at the limit, wrong content types and charsets are refused, text is stored
// exactly (NFC) or rejected, and rows and cells of any size are refused without being held whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedIn,
  type SignedUp,
  signInBearer,
  signUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { addMember, addUser, createGroup, newOrg } from '../access/groups.test-support.ts'
import { grantCollection, newCollection } from './data.test-support.ts'
import { MAX_REPORTED_ISSUES } from './import.report.ts'
import { MAX_ROW_CHARS } from './import.rows.ts'
import { csvOf, importInto, ndjsonOf, storedRows, valuesByKey } from './import.test-support.ts'

// Above MAX_ROW_CHARS, so a huge row is refused as a row, not as an oversize body.
const MAX_BYTES = 5 * 1024 * 1024
const BATCH = 500
/** One public text field: the oversize cases commit thousands of rows, none of them sealed. */
const PLAIN = [
  { key: 'name', label: 'Name', type: 'text', classification: 'public', required: true },
] as const

let t: TestApp
let org: SignedUp
let owner: SignedIn

beforeAll(async () => {
  t = await createTestApp({
    env: {
      RAMPART_DATA_IMPORT_BATCH_ROWS: String(BATCH),
      RAMPART_DATA_IMPORT_MAX_BYTES: String(MAX_BYTES),
    },
  })
  ;({ org, owner } = await newOrg(t))
})
afterAll(() => t.close())

const lines = (count: number, width = 0) =>
  Array.from({ length: count }, (_, i) => ({ name: `Row ${i + 1} ${'x'.repeat(width)}` }))

describe('hostile import bodies', () => {
  it('SEC-4: a body declared larger than the limit is refused before it is read', async () => {
    const c = await newCollection(t, owner, { fields: [...PLAIN], subjectField: null })
    const body = ndjsonOf(lines(6_000, 900))
    expect(body.length).toBeGreaterThan(MAX_BYTES)
    const res = await importInto(t, owner, c.id, body, { format: 'ndjson' })
    expect(res.statusCode).toBe(413)
    expect(res.json().error).toMatchObject({
      code: 'DATA_IMPORT_TOO_LARGE',
      details: { limitBytes: MAX_BYTES, report: { received: 0, imported: 0 } },
    })
    expect(await storedRows(t, c.id)).toEqual([])
  })

  it('SEC-4: a streamed body stops at the limit: batches before it stay, nothing past the last one lands', async () => {
    const c = await newCollection(t, owner, { fields: [...PLAIN], subjectField: null })
    const rows = lines(6_000, 900)
    const res = await importInto(t, owner, c.id, ndjsonOf(rows), {
      format: 'ndjson',
      chunkBytes: 64 * 1024,
    })
    expect(res.statusCode).toBe(413)
    // The client may still be sending: the answer closes the connection.
    expect(res.headers.connection).toBe('close')
    const { report } = res.json().error.details
    expect(report.imported).toBeGreaterThan(0)
    expect(report.imported % BATCH).toBe(0)
    expect(report.settledThroughRow).toBe(report.imported)
    const stored = await storedRows(t, c.id)
    expect(stored).toHaveLength(report.imported)
    // Every row committed lies wholly within the first MAX_BYTES bytes of the body.
    const bytesThrough = Buffer.byteLength(ndjsonOf(rows.slice(0, report.imported)))
    expect(bytesThrough).toBeLessThanOrEqual(MAX_BYTES)
  })

  it('SEC-3: wrong content types and charsets get 415 with a stable code, before anything is read', async () => {
    const c = await newCollection(t, owner)
    for (const contentType of [
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      'text/csv; charset=iso-8859-1',
      'application/json; charset=utf-16',
    ]) {
      const res = await importInto(t, owner, c.id, 'name\r\nAda\r\n', { contentType })
      expect(res.statusCode, contentType).toBe(415)
      expect(res.json().error.code).toBe('DATA_IMPORT_FORMAT_UNSUPPORTED')
    }
    const none = await t.app.inject({
      method: 'POST',
      url: `/api/v1/collections/${c.id}/import`,
      headers: owner.authorization,
      payload: Buffer.from('name\r\nAda\r\n'),
    })
    expect(none.statusCode).toBe(415)
    const charset = await importInto(t, owner, c.id, 'name\r\nAda\r\n', {
      contentType: 'Text/CSV; Charset="UTF-8"',
    })
    expect(charset.statusCode).toBe(200)
    const unknownQuery = await t.app.inject({
      method: 'POST',
      url: `/api/v1/collections/${c.id}/import?atomic=yes`,
      headers: { ...owner.authorization, 'content-type': 'text/csv' },
      payload: 'name\r\nAda\r\n',
    })
    expect(unknownQuery.statusCode).toBe(400)
    expect(await storedRows(t, c.id)).toHaveLength(1)
  })

  it('SEC-3: unicode is stored as sent (NFC), a BOM is dropped, and control and direction characters are rejected', async () => {
    const c = await newCollection(t, owner)
    const csv = `\ufeff${csvOf(
      ['name', 'city'],
      [
        ['Zoë 🦊', '東京'],
        ['Cafe\u0301', 'Łódź'],
        ['Evil\u202Egnp.exe', 'x'],
        ['Line\nbreak', 'y'],
        ['Tab\there', 'z'],
      ],
    )}`
    const res = await importInto(t, owner, c.id, csv)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ imported: 2, rejected: 3 })
    expect(
      res.json().issues.map((i: { row: number; code: string }) => `${i.row}:${i.code}`),
    ).toEqual(['3:unsafe_text', '4:unsafe_text', '5:unsafe_text'])
    const byName = await valuesByKey(t, owner, c.id, 'name')
    expect(byName.get('Zoë 🦊')?.city).toBe('東京')
    expect(byName.get('Café')?.city).toBe('Łódź')
    const bomJson = await importInto(t, owner, c.id, '\ufeff[{"name": "Bom"}]', { format: 'json' })
    expect(bomJson.json()).toMatchObject({ imported: 1 })
  })

  it('SEC-3: SQL and spreadsheet injection strings are stored verbatim as values, and never reach SQL or a field key', async () => {
    const c = await newCollection(t, owner)
    const hostile = [
      "'); DROP TABLE records; --",
      "=cmd|' /C calc'!A0",
      "@SUM(1+1)*cmd|' /C calc'!A0",
      '+1+1',
      "Robert'); DELETE FROM collections WHERE ('1'='1",
    ]
    const res = await importInto(
      t,
      owner,
      c.id,
      csvOf(
        ['name'],
        hostile.map((h) => [h]),
      ),
    )
    expect(res.json()).toMatchObject({ imported: hostile.length, rejected: 0 })
    const byName = await valuesByKey(t, owner, c.id, 'name')
    for (const h of hostile) expect(byName.has(h)).toBe(true)

    const keys = await importInto(
      t,
      owner,
      c.id,
      ndjsonOf([{ name: 'k', "city' OR '1'='1": 'x', 'data->>name': 'y', ['x'.repeat(500)]: 'z' }]),
      { format: 'ndjson' },
    )
    expect(keys.json().issues.map((i: { field: string; code: string }) => i.code)).toEqual([
      'unknown_field',
      'unknown_field',
      'unknown_field',
    ])
    expect(keys.json().issues[2].field.length).toBeLessThanOrEqual(64)
    const header = await importInto(t, owner, c.id, 'name,"age; DROP TABLE records"\r\nA,1\r\n')
    expect(header.statusCode).toBe(422)
    expect(header.json().error.details.reason).toBe('unknown_column')
    expect(await storedRows(t, c.id)).toHaveLength(hostile.length)
  })

  it("AUTHZ-5: another tenant's collection id answers 404 and nothing lands in it", async () => {
    const other = await signUp(t.app)
    const otherOwner = await signInBearer(t.app, other)
    const theirs = await newCollection(t, otherOwner)
    for (const url of [
      `/api/v1/collections/${theirs.id}/import`,
      `/api/v1/collections/${other.tenant.id}/import`,
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: {
          ...owner.authorization,
          'content-type': 'text/csv',
          'x-tenant-id': other.tenant.id,
        },
        payload: 'name\r\nIntruder\r\n',
      })
      expect(res.statusCode).toBe(404)
      expect(res.json().error.code).toBe('DATA_COLLECTION_NOT_FOUND')
    }
    expect(await storedRows(t, theirs.id)).toEqual([])
  })

  it('AUTHZ-2: importing needs records.import and an edit grant on the collection', async () => {
    const c = await newCollection(t, owner)
    const member = await addUser(t, org, 'member')
    const viewer = await addUser(t, org, 'viewer')
    const body = 'name\r\nGranted\r\n'
    const asMember = () => importInto(t, member.session, c.id, body)
    expect((await asMember()).statusCode).toBe(404)
    const group = await createGroup(t, owner, `importers ${c.id}`)
    await addMember(t, owner, group, member.id)
    await addMember(t, owner, group, viewer.id)
    await grantCollection(t, owner, group, c.id, 'view')
    expect((await asMember()).statusCode).toBe(404)
    await grantCollection(t, owner, group, c.id, 'edit')
    const granted = await asMember()
    expect(granted.statusCode, granted.body).toBe(200)
    const [row] = await storedRows(t, c.id)
    expect(row?.created_by).toBe(member.id)
    const refused = await importInto(t, viewer.session, c.id, body)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().error).toMatchObject({
      code: 'AUTH_PERMISSION_DENIED',
      details: { permission: 'records.import' },
    })
    expect(await storedRows(t, c.id)).toHaveLength(1)
  })

  it('SEC-4: huge cells and lines are refused without being held: a file error for CSV, a rejected row for NDJSON and JSON', async () => {
    const c = await newCollection(t, owner)
    const huge = 'h'.repeat(MAX_ROW_CHARS + 10)
    const chunkBytes = 256 * 1024
    const csv = await importInto(t, owner, c.id, `name\r\nfirst\r\n${huge}\r\nlast\r\n`, {
      chunkBytes,
    })
    expect(csv.statusCode).toBe(422)
    expect(csv.json().error.details).toMatchObject({ row: 2, reason: 'row_too_large' })
    const nd = await importInto(
      t,
      owner,
      c.id,
      `{"name": "first"}\n{"name": "${huge}"}\n{"name": "last"}\n`,
      {
        format: 'ndjson',
        chunkBytes,
      },
    )
    expect(nd.json()).toMatchObject({
      imported: 2,
      rejected: 1,
      issues: [{ row: 2, field: null, code: 'row_too_large' }],
    })
    const json = await importInto(
      t,
      owner,
      c.id,
      `[{"name": "first"}, {"name": "${huge}"}, {"name": "last"}]`,
      {
        format: 'json',
        chunkBytes,
      },
    )
    expect(json.json()).toMatchObject({
      imported: 2,
      rejected: 1,
      issues: [{ row: 2, code: 'row_too_large' }],
    })
    const long = await importInto(t, owner, c.id, csvOf(['name'], [['y'.repeat(10_001)], ['ok']]))
    expect(long.json()).toMatchObject({
      imported: 1,
      issues: [{ row: 1, field: 'name', code: 'too_long' }],
    })
  })

  it('SEC-3: the issue list stops at its cap while the counts go on', async () => {
    const c = await newCollection(t, owner)
    const rows = Array.from({ length: MAX_REPORTED_ISSUES + 200 }, () => ['not a number'])
    const res = await importInto(
      t,
      owner,
      c.id,
      csvOf(
        ['name', 'age'],
        rows.map((r) => ['n', r[0]]),
      ),
    )
    expect(res.json()).toMatchObject({
      rejected: MAX_REPORTED_ISSUES + 200,
      imported: 0,
      issuesTruncated: true,
    })
    expect(res.json().issues).toHaveLength(MAX_REPORTED_ISSUES)
  })
})
