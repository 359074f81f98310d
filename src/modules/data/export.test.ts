// DATA-1, DATA-3, LOG-1: exporting a collection as CSV, JSON and NDJSON: live records only,
// personal values decrypted, CSV cells safe from formula injection, every page in order, the
// permission and a view grant required, and every export audited with field names only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedIn,
  type SignedUp,
  signInBearer,
  signUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { makeKey } from '../access/api-keys.test-support.ts'
import { addMember, addUser, createGroup, newOrg } from '../access/groups.test-support.ts'
import {
  call,
  grantCollection,
  loggedEvents,
  newCollection,
  newRecord,
} from './data.test-support.ts'
import { importInto, ndjsonOf } from './import.test-support.ts'

let t: TestApp
let org: SignedUp
let owner: SignedIn

beforeAll(async () => {
  t = await createTestApp()
  ;({ org, owner } = await newOrg(t))
})
afterAll(() => t.close())

const exportOf = (who: { authorization: string }, collectionId: string, format?: string) =>
  t.app.inject({
    method: 'GET',
    url: `/api/v1/collections/${collectionId}/export${format ? `?format=${format}` : ''}`,
    headers: who,
  })

describe('record export', () => {
  it('DATA-3, KMS-2: a CSV export decrypts personal values, escapes formulas and downloads as an attachment', async () => {
    const c = await newCollection(t, owner)
    await newRecord(t, owner, c.id, {
      name: '=HYPERLINK("http://evil.example","x")',
      email: 'ada@example.com',
      diagnosis: '@SUM(A1)',
      city: '+33 Paris, "centre"',
      age: -5,
      active: true,
      joined: '2020-02-29',
      tier: 'gold',
    })
    await newRecord(t, owner, c.id, { name: '-2+3', city: 'Oslo' })
    const res = await exportOf(owner.authorization, c.id)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(res.headers['content-disposition']).toMatch(
      new RegExp(`^attachment; filename="collection-${c.id}-[0-9T-]+Z\\.csv"$`),
    )
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body.split('\r\n')).toEqual([
      'name,email,diagnosis,city,age,active,joined,tier',
      `"'=HYPERLINK(""http://evil.example"",""x"")","ada@example.com","'@SUM(A1)","'+33 Paris, ""centre""",-5,true,"2020-02-29","gold"`,
      `"'-2+3",,,"Oslo",,,,`,
      '',
    ])
  })

  it('DATA-3: JSON and NDJSON exports hold each live record once, in one stable order across pages, and import again as they are', async () => {
    const c = await newCollection(t, owner, {
      fields: [
        { key: 'name', label: 'Name', type: 'text', classification: 'public', required: true },
        { key: 'n', label: 'N', type: 'number', classification: 'internal', required: false },
      ],
      subjectField: null,
    })
    // One import batch: 700 records share one created_at, so paging rests on the id tie-break.
    const rows = Array.from({ length: 700 }, (_, i) => ({ name: `R${i}`, n: i }))
    expect(
      (await importInto(t, owner, c.id, ndjsonOf(rows), { format: 'ndjson' })).json().imported,
    ).toBe(700)
    const locked = await newRecord(t, owner, c.id, { name: 'Locked' })
    expect(
      (await call(t, owner, 'DELETE', `/api/v1/collections/${c.id}/records/${locked.id}`))
        .statusCode,
    ).toBe(200)

    const json = await exportOf(owner.authorization, c.id, 'json')
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8')
    const exported = json.json() as { name: string; n: number }[]
    expect(exported).toHaveLength(700)
    expect(new Set(exported.map((r) => r.name)).size).toBe(700)
    expect(exported.some((r) => r.name === 'Locked')).toBe(false)
    expect(exported.map((r) => r.n).sort((a, b) => a - b)).toEqual(rows.map((r) => r.n))

    const nd = await exportOf(owner.authorization, c.id, 'ndjson')
    const lines = nd.body.trimEnd().split('\n')
    expect(lines.map((l) => JSON.parse(l))).toEqual(exported)

    const copy = await newCollection(t, owner, { fields: c.fields, subjectField: null })
    const again = await importInto(t, owner, copy.id, json.body, { format: 'json' })
    expect(again.json()).toMatchObject({ imported: 700, rejected: 0 })
    expect((await exportOf(owner.authorization, copy.id, 'json')).json()).toHaveLength(700)
  })

  it('DATA-4: locked records and locked collections are never exported', async () => {
    const c = await newCollection(t, owner)
    await newRecord(t, owner, c.id, { name: 'Visible' })
    const hidden = await newRecord(t, owner, c.id, { name: 'Hidden' })
    await call(t, owner, 'DELETE', `/api/v1/collections/${c.id}/records/${hidden.id}`)
    const csv = await exportOf(owner.authorization, c.id)
    expect(csv.body).toContain('Visible')
    expect(csv.body).not.toContain('Hidden')
    await call(t, owner, 'DELETE', `/api/v1/collections/${c.id}`)
    const gone = await exportOf(owner.authorization, c.id)
    expect(gone.statusCode).toBe(404)
    expect(gone.json().error.code).toBe('DATA_COLLECTION_NOT_FOUND')
  })

  it('AUTHZ-1, AUTHZ-2: exporting needs records.export and, without data.manage, a view grant', async () => {
    const c = await newCollection(t, owner)
    await newRecord(t, owner, c.id, { name: 'Need to know' })
    const member = await addUser(t, org, 'member')
    const group = await createGroup(t, owner, `exporters ${c.id}`)
    await addMember(t, owner, group, member.id)
    await grantCollection(t, owner, group, c.id, 'edit')
    const refused = await exportOf(member.session.authorization, c.id)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().error.details).toEqual({ permission: 'records.export' })

    // A key scoped to records.export alone holds the permission but not data.manage.
    const key = await makeKey(t.app, owner, ['records.export'], 'export only')
    const ungranted = await exportOf(key.authorization, c.id)
    expect(ungranted.statusCode).toBe(404)
    expect(ungranted.json().error.code).toBe('DATA_COLLECTION_NOT_FOUND')
    await addMember(t, owner, group, org.owner.id)
    const granted = await exportOf(key.authorization, c.id)
    expect(granted.statusCode, granted.body).toBe(200)
    expect(granted.body).toContain('Need to know')

    const other = await signUp(t.app)
    const theirs = await newCollection(t, await signInBearer(t.app, other))
    const foreign = await exportOf(owner.authorization, theirs.id)
    expect(foreign.statusCode).toBe(404)
    expect((await exportOf(owner.authorization, c.id, 'xml')).statusCode).toBe(400)
  })

  it('LOG-1: every export is audited with the actor, the format and the field names, never values', async () => {
    const c = await newCollection(t, owner)
    await newRecord(t, owner, c.id, { name: 'Audited Person', email: 'audited@example.com' })
    await exportOf(owner.authorization, c.id, 'ndjson')
    // HEAD is no export: nothing is decrypted, nothing recorded.
    const head = await t.app.inject({
      method: 'HEAD',
      url: `/api/v1/collections/${c.id}/export`,
      headers: owner.authorization,
    })
    expect(head.statusCode).toBe(404)
    const events = (await loggedEvents(t, org.tenant.id)).filter(
      (e) => e.action === 'collection.export' && e.target?.id === c.id,
    )
    expect(events).toEqual([
      expect.objectContaining({
        outcome: 'success',
        reason: 'ndjson',
        actor: { type: 'user', id: org.owner.id },
        target: { type: 'collection', id: c.id },
        fields: ['name', 'email', 'diagnosis', 'city', 'age', 'active', 'joined', 'tier'],
      }),
    ])
    expect(JSON.stringify(events)).not.toContain('Audited')
  })
})
