// DATA-1: every schema a collection has had is kept, in order; of parallel changes made against
// one version exactly one wins; and a write racing a field's removal never leaves a value of
// the removed field behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SignedIn, SignedUp } from '../../../test/support/app.ts'
import { newOrg } from '../access/groups.test-support.ts'
import type { FieldInput } from './collections.schema.ts'
import type { Collection, CollectionVersion } from './collections.service.ts'
import {
  call,
  createDataTestApp,
  type DataTestApp,
  loggedEvents,
  newCollection,
  rawRecord,
} from './data.test-support.ts'

let t: DataTestApp
let org: SignedUp
let owner: SignedIn

const BASE: FieldInput[] = [
  { key: 'title', label: 'Title', type: 'text', classification: 'public', required: true },
  { key: 'note', label: 'Note', type: 'text', classification: 'sensitive' },
]

async function patch(c: Collection, body: object) {
  return call(t, owner, 'PATCH', `/api/v1/collections/${c.id}`, body)
}

async function versionsOf(c: Collection): Promise<CollectionVersion[]> {
  const res = await call(t, owner, 'GET', `/api/v1/collections/${c.id}/versions`)
  expect(res.statusCode).toBe(200)
  return res.json().versions
}

beforeAll(async () => {
  t = await createDataTestApp()
  ;({ org, owner } = await newOrg(t))
})
afterAll(() => t.close())

describe('DATA-1 schema versions', () => {
  it('DATA-1: the history holds every version, newest first, with who changed it', async () => {
    const c = await newCollection(t, owner, { fields: BASE, subjectField: null })
    const v2 = [...BASE, { key: 'size', label: 'Size', type: 'number', classification: 'internal' }]
    const v3 = v2.map((f) => (f.key === 'title' ? { ...f, label: 'Heading' } : f))
    const v4 = v3.filter((f) => f.key !== 'note')
    expect((await patch(c, { fields: v2, expectedVersion: 1 })).json().schemaVersion).toBe(2)
    expect((await patch(c, { fields: v3, expectedVersion: 2 })).json().schemaVersion).toBe(3)
    expect((await patch(c, { fields: v4, expectedVersion: 3 })).json().schemaVersion).toBe(4)
    // Renaming is not a schema change: no version, but an audited update.
    expect((await patch(c, { name: 'Renamed' })).json().schemaVersion).toBe(4)
    const versions = await versionsOf(c)
    expect(versions.map((v) => v.version)).toEqual([4, 3, 2, 1])
    expect(versions.map((v) => v.fields.map((f) => f.key))).toEqual([
      ['title', 'size'],
      ['title', 'note', 'size'],
      ['title', 'note', 'size'],
      ['title', 'note'],
    ])
    expect(versions[1]?.fields[0]?.label).toBe('Heading')
    expect(versions[2]?.fields[0]?.label).toBe('Title')
    for (const v of versions) expect(v.changedBy).toBe(org.owner.id)
    const updates = (await loggedEvents(t, org.tenant.id))
      .filter((e) => e.target?.id === c.id && e.action === 'collection.update')
      .map((e) => e.fields)
    expect(updates).toEqual([['size'], ['title'], ['note'], ['name']])
  })

  it('DATA-1: of parallel changes against one version, exactly one wins; the others get 409', async () => {
    const c = await newCollection(t, owner, { fields: BASE, subjectField: null })
    const attempts = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        patch(c, {
          fields: [
            ...BASE,
            { key: `extra_${i}`, label: `Extra ${i}`, type: 'boolean', classification: 'public' },
          ],
          expectedVersion: 1,
        }),
      ),
    )
    const statuses = attempts.map((a) => a.statusCode).sort()
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409])
    for (const lost of attempts.filter((a) => a.statusCode === 409)) {
      expect(lost.json().error).toMatchObject({
        code: 'DATA_SCHEMA_VERSION_CONFLICT',
        details: { schemaVersion: 2 },
      })
    }
    const winner = attempts.find((a) => a.statusCode === 200)?.json() as Collection
    const versions = await versionsOf(c)
    expect(versions.map((v) => v.version)).toEqual([2, 1])
    expect(versions[0]?.fields).toEqual(winner.fields)
  })

  it('DATA-1: record writes racing the removal of a field never keep a value of it', async () => {
    const c = await newCollection(t, owner, { fields: BASE, subjectField: null })
    const url = `/api/v1/collections/${c.id}/records`
    const writes = Array.from({ length: 8 }, (_, i) =>
      call(t, owner, 'POST', url, { values: { title: `T${i}`, note: `secret ${i}` } }),
    )
    const removal = patch(c, { fields: BASE.slice(0, 1), expectedVersion: 1 })
    const [removed, ...written] = await Promise.all([removal, ...writes])
    expect(removed?.statusCode).toBe(200)
    for (const res of written) {
      // Before the removal: stored, then stripped. After it: refused as an unknown field.
      if (res.statusCode === 201) {
        const row = await rawRecord(t, res.json().id)
        expect(row?.sealed).toEqual({})
      } else {
        expect(res.statusCode).toBe(422)
        expect(res.json().error.details.issues[0]).toMatchObject({
          field: 'note',
          code: 'unknown_field',
        })
      }
    }
  })
})
