// DATA-1, DATA-2, DATA-4: the collections API end to end: define with typed, classified fields
// and at most one data-subject field, list and read, change the schema, delete, restore, each
// change audited with field names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedIn,
  type SignedUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { newOrg } from '../access/groups.test-support.ts'
import type { FieldInput } from './collections.schema.ts'
import type { Collection } from './collections.service.ts'
import {
  call,
  loggedEvents,
  newCollection,
  newRecord,
  PEOPLE_FIELDS,
  rawRecord,
} from './data.test-support.ts'

let t: TestApp
let org: SignedUp
let owner: SignedIn

const field = (over: Partial<FieldInput> = {}): FieldInput => ({
  key: 'f',
  label: 'F',
  type: 'text',
  classification: 'public',
  ...over,
})

async function create(body: Record<string, unknown>) {
  return call(t, owner, 'POST', '/api/v1/collections', body)
}

beforeAll(async () => {
  t = await createTestApp()
  ;({ org, owner } = await newOrg(t))
})
afterAll(() => t.close())

describe('DATA-1 collections: define', () => {
  it('DATA-1: creates a collection with typed, classified fields; version 1 is kept', async () => {
    const res = await create({
      name: '  Patients  ',
      description: 'Who is\nin which ward',
      fields: PEOPLE_FIELDS,
      subjectField: 'email',
    })
    expect(res.statusCode, res.body).toBe(201)
    const c = res.json() as Collection
    expect(c).toMatchObject({
      name: 'Patients',
      description: 'Who is\nin which ward',
      schemaVersion: 1,
      subjectField: 'email',
    })
    expect(c.fields[0]).toEqual({
      key: 'name',
      label: 'Name',
      type: 'text',
      classification: 'personal',
      required: true,
    })
    expect(c.fields.find((f) => f.key === 'tier')?.options).toEqual(['gold', 'silver', 'bronze'])
    expect(c.fields.find((f) => f.key === 'city')?.required).toBe(false)
    const got = await call(t, owner, 'GET', `/api/v1/collections/${c.id}`)
    expect(got.json()).toEqual(c)
    const versions = await call(t, owner, 'GET', `/api/v1/collections/${c.id}/versions`)
    expect(versions.json().versions).toEqual([
      {
        version: 1,
        fields: c.fields,
        subjectField: 'email',
        changedBy: org.owner.id,
        changedAt: expect.any(String),
      },
    ])
    const events = (await loggedEvents(t, org.tenant.id)).filter((e) => e.target?.id === c.id)
    expect(events).toEqual([
      expect.objectContaining({
        action: 'collection.create',
        actor: { type: 'user', id: org.owner.id },
        target: { type: 'collection', id: c.id },
        fields: PEOPLE_FIELDS.map((f) => f.key),
      }),
    ])
  })

  it('DATA-1: names are unique among live collections, ignoring letter case', async () => {
    await newCollection(t, owner, { name: 'Straße' })
    const res = await create({ name: 'STRASSE', fields: [field()] })
    expect(res.statusCode).toBe(409)
    expect(res.json().error.code).toBe('DATA_COLLECTION_NAME_TAKEN')
  })

  it.each([
    ['no fields', { fields: [] }, 'field_count', null],
    [
      '101 fields',
      { fields: Array.from({ length: 101 }, (_, i) => field({ key: `f${i}` })) },
      'field_count',
      null,
    ],
    ['a key with a capital', { fields: [field({ key: 'Name' })] }, 'key_invalid', 'Name'],
    ['a key starting with _', { fields: [field({ key: '_id' })] }, 'key_invalid', '_id'],
    [
      'a key of 64 characters',
      { fields: [field({ key: `a${'b'.repeat(63)}` })] },
      'key_invalid',
      `a${'b'.repeat(63)}`,
    ],
    ['a repeated key', { fields: [field(), field({ label: 'Again' })] }, 'key_duplicate', 'f'],
    ['an empty label', { fields: [field({ label: '   ' })] }, 'label_invalid', 'f'],
    ['a two-line label', { fields: [field({ label: 'a\nb' })] }, 'label_invalid', 'f'],
    [
      'a bidi override in a label',
      { fields: [field({ label: 'abc\u202e' })] },
      'label_invalid',
      'f',
    ],
    [
      'a 101-character label',
      { fields: [field({ label: 'x'.repeat(101) })] },
      'label_invalid',
      'f',
    ],
    ['an unknown type', { fields: [field({ type: 'json' })] }, 'type_unknown', 'f'],
    [
      'an unknown classification',
      { fields: [field({ classification: 'secret' })] },
      'classification_unknown',
      'f',
    ],
    ['an enum without options', { fields: [field({ type: 'enum' })] }, 'options_invalid', 'f'],
    [
      'an enum with 101 options',
      {
        fields: [field({ type: 'enum', options: Array.from({ length: 101 }, (_, i) => `o${i}`) })],
      },
      'options_invalid',
      'f',
    ],
    [
      'an enum repeating an option',
      { fields: [field({ type: 'enum', options: ['a', ' a '] })] },
      'option_duplicate',
      'f',
    ],
    [
      'an empty option',
      { fields: [field({ type: 'enum', options: [''] })] },
      'option_invalid',
      'f',
    ],
    [
      'options on a text field',
      { fields: [field({ options: ['a'] })] },
      'options_not_allowed',
      'f',
    ],
    [
      'a subject field that is not a field',
      { fields: [field()], subjectField: 'g' },
      'subject_unknown',
      'g',
    ],
    [
      'a public subject field',
      { fields: [field()], subjectField: 'f' },
      'subject_not_personal',
      'f',
    ],
    [
      'a personal number as subject',
      { fields: [field({ type: 'number', classification: 'personal' })], subjectField: 'f' },
      'subject_not_personal',
      'f',
    ],
  ])(
    'DATA-1: refuses %s (422 DATA_SCHEMA_INVALID naming the field)',
    async (_what, body, issue, at) => {
      const res = await create({ name: `Bad ${issue} ${Math.random()}`, ...body })
      expect(res.statusCode, res.body).toBe(422)
      expect(res.json().error).toMatchObject({
        code: 'DATA_SCHEMA_INVALID',
        details: { issue, field: at },
      })
    },
  )

  it('DATA-1: refuses a bad name or description with its own code', async () => {
    for (const name of ['', '   ', 'x'.repeat(101), 'a\u0000b', 'tab\there']) {
      const res = await create({ name, fields: [field()] })
      expect(res.statusCode, name).toBe(422)
      expect(res.json().error.code).toBe('DATA_COLLECTION_NAME_INVALID')
    }
    const res = await create({ name: 'Described', description: 'x'.repeat(501), fields: [field()] })
    expect(res.json().error.code).toBe('DATA_COLLECTION_DESCRIPTION_INVALID')
  })
})

describe('DATA-1 collections: change the schema', () => {
  it('DATA-1, DATA-2: renaming alone keeps the schema version, a new field list makes a new one, each audited with field names', async () => {
    const c = await newCollection(t, owner)
    const url = `/api/v1/collections/${c.id}`
    const renamed = await call(t, owner, 'PATCH', url, {
      name: 'Renamed people',
      description: null,
    })
    expect(renamed.json()).toMatchObject({ name: 'Renamed people', schemaVersion: 1 })
    const fields = [
      ...PEOPLE_FIELDS.map((f) => (f.key === 'city' ? { ...f, label: 'Town', required: true } : f)),
      field({ key: 'notes', label: 'Notes', classification: 'internal' }),
    ]
    const changed = await call(t, owner, 'PATCH', url, { fields, expectedVersion: 1 })
    expect(changed.statusCode, changed.body).toBe(200)
    expect(changed.json().schemaVersion).toBe(2)
    expect(changed.json().fields.map((f: { key: string }) => f.key)).toContain('notes')
    // The same list again is no change.
    const same = await call(t, owner, 'PATCH', url, { fields, expectedVersion: 2 })
    expect(same.json().schemaVersion).toBe(2)
    const events = (await loggedEvents(t, org.tenant.id)).filter((e) => e.target?.id === c.id)
    expect(events.map((e) => [e.action, e.fields])).toEqual([
      ['collection.create', PEOPLE_FIELDS.map((f) => f.key)],
      ['collection.update', ['name']],
      ['collection.update', ['notes', 'city']],
    ])
  })

  it("DATA-1: an existing field's type or classification never changes (409)", async () => {
    const c = await newCollection(t, owner)
    const url = `/api/v1/collections/${c.id}`
    for (const change of [{ type: 'number' }, { classification: 'public' }]) {
      const fields = PEOPLE_FIELDS.map((f) => (f.key === 'name' ? { ...f, ...change } : f))
      const res = await call(t, owner, 'PATCH', url, { fields, expectedVersion: 1 })
      expect(res.statusCode).toBe(409)
      expect(res.json().error).toMatchObject({
        code: 'DATA_FIELD_CHANGE_REFUSED',
        details: { field: 'name' },
      })
    }
    // Moving the subject role to a field that already holds values is refused the same way.
    const moved = await call(t, owner, 'PATCH', url, {
      fields: PEOPLE_FIELDS,
      subjectField: 'name',
      expectedVersion: 1,
    })
    expect(moved.json().error.code).toBe('DATA_FIELD_CHANGE_REFUSED')
    const missing = await call(t, owner, 'PATCH', url, { fields: PEOPLE_FIELDS })
    expect(missing.statusCode).toBe(422)
    expect(missing.json().error.details.issue).toBe('expected_version_missing')
    const stale = await call(t, owner, 'PATCH', url, { fields: PEOPLE_FIELDS, expectedVersion: 7 })
    expect(stale.statusCode).toBe(409)
    expect(stale.json().error).toMatchObject({
      code: 'DATA_SCHEMA_VERSION_CONFLICT',
      details: { schemaVersion: 1 },
    })
  })

  it('DATA-1: removing a field strips its values from every record, locked ones included', async () => {
    const c = await newCollection(t, owner)
    const live = await newRecord(t, owner, c.id, {
      name: 'Ada',
      email: 'ada@example.com',
      city: 'London',
    })
    const locked = await newRecord(t, owner, c.id, {
      name: 'Alan',
      email: 'alan@example.com',
      city: 'Wilmslow',
    })
    await call(t, owner, 'DELETE', `/api/v1/collections/${c.id}/records/${locked.id}`)
    const kept = PEOPLE_FIELDS.filter((f) => f.key !== 'city' && f.key !== 'email')
    const res = await call(t, owner, 'PATCH', `/api/v1/collections/${c.id}`, {
      fields: kept,
      expectedVersion: 1,
    })
    expect(res.statusCode, res.body).toBe(200)
    // The subject field went with its field.
    expect(res.json()).toMatchObject({ schemaVersion: 2, subjectField: null })
    for (const id of [live.id, locked.id]) {
      const row = await rawRecord(t, id)
      expect(row?.data).not.toHaveProperty('city')
      expect(row?.sealed).not.toHaveProperty('email')
      expect(row?.sealed).toHaveProperty('name')
      expect(row?.subject_index).toBeNull()
    }
    const got = await call(t, owner, 'GET', `/api/v1/collections/${c.id}/records/${live.id}`)
    expect(got.json().values).toEqual({
      name: 'Ada',
      diagnosis: null,
      age: null,
      active: null,
      joined: null,
      tier: null,
    })
    // A field added back under the same key starts empty.
    const again = await call(t, owner, 'PATCH', `/api/v1/collections/${c.id}`, {
      fields: [...kept, field({ key: 'city', label: 'City' })],
      expectedVersion: 2,
    })
    expect(again.statusCode).toBe(200)
    const back = await call(
      t,
      owner,
      'POST',
      `/api/v1/collections/${c.id}/records/${locked.id}/restore`,
    )
    expect(back.json().values.city).toBeNull()
  })
})

describe('DATA-4 collections: delete and restore', () => {
  it('DATA-4: a deleted collection vanishes with its records, frees its name, and comes back', async () => {
    const c = await newCollection(t, owner, { name: 'Temporary' })
    const r = await newRecord(t, owner, c.id, { name: 'Ada' })
    const url = `/api/v1/collections/${c.id}`
    const deleted = await call(t, owner, 'DELETE', url)
    expect(deleted.statusCode).toBe(200)
    for (const path of ['', '/versions', '/records', `/records/${r.id}`]) {
      const res = await call(t, owner, 'GET', `${url}${path}`)
      expect(res.statusCode, path).toBe(404)
      expect(res.json().error.code).toBe('DATA_COLLECTION_NOT_FOUND')
    }
    const listed = await call(t, owner, 'GET', '/api/v1/collections')
    expect(listed.json().collections.map((x: Collection) => x.id)).not.toContain(c.id)
    const bin = (await call(t, owner, 'GET', '/api/v1/recently-deleted')).json().items
    expect(bin[0]).toMatchObject({ type: 'collection', id: c.id, collectionName: 'Temporary' })

    // The name is free meanwhile; restoring while another live collection has it is refused.
    const other = await newCollection(t, owner, { name: 'temporary' })
    const clash = await call(t, owner, 'POST', `${url}/restore`)
    expect(clash.statusCode).toBe(409)
    expect(clash.json().error.code).toBe('DATA_COLLECTION_NAME_TAKEN')
    await call(t, owner, 'PATCH', `/api/v1/collections/${other.id}`, { name: 'Renamed' })
    const restored = await call(t, owner, 'POST', `${url}/restore`)
    expect(restored.statusCode).toBe(200)
    expect(restored.json().name).toBe('Temporary')
    expect((await call(t, owner, 'GET', `${url}/records/${r.id}`)).statusCode).toBe(200)
    expect((await call(t, owner, 'POST', `${url}/restore`)).json().error.code).toBe(
      'DATA_NOT_DELETED',
    )
    const actions = (await loggedEvents(t, org.tenant.id))
      .filter((e) => e.target?.id === c.id)
      .map((e) => e.action)
    expect(actions).toEqual(['collection.create', 'collection.delete', 'collection.restore'])
  })

  it('DATA-4: the recently-deleted list pages newest first with a cursor', async () => {
    const c = await newCollection(t, owner)
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      const r = await newRecord(t, owner, c.id, { name: `R${i}` })
      await call(t, owner, 'DELETE', `/api/v1/collections/${c.id}/records/${r.id}`)
      ids.unshift(r.id)
    }
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const res = await call(
        t,
        owner,
        'GET',
        `/api/v1/recently-deleted?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      )
      expect(res.statusCode, res.body).toBe(200)
      seen.push(...res.json().items.map((i: { id: string }) => i.id))
      cursor = res.json().nextCursor
    } while (cursor && seen.length < 100)
    expect(seen.slice(0, 5)).toEqual(ids)
    const bad = await call(t, owner, 'GET', '/api/v1/recently-deleted?cursor=bm9wZQ')
    expect(bad.json().error.code).toBe('DATA_CURSOR_INVALID')
  })
})
