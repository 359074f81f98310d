// DATA-1, KMS-2: the record codec on its own: values checked against the schema (pure), sealed
// into plain and encrypted parts with a blind index, and opened again.
import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { createTestKeys, type TestKeys } from '../../../test/support/keys.ts'
import { keyVersionOf } from '../../crypto/field-encryption.ts'
import type { Collection } from './collections.service.ts'
import { checkRecordValues, isCalendarDate, openRecord, sealRecord } from './records.codec.ts'

const collection: Collection = {
  id: randomUUID(),
  name: 'People',
  description: null,
  schemaVersion: 1,
  subjectField: 'email',
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  fields: [
    { key: 'name', label: 'Name', type: 'text', classification: 'personal', required: true },
    { key: 'email', label: 'E-mail', type: 'email', classification: 'personal', required: false },
    { key: 'score', label: 'Score', type: 'number', classification: 'sensitive', required: false },
    { key: 'vip', label: 'VIP', type: 'boolean', classification: 'sensitive', required: false },
    { key: 'city', label: 'City', type: 'text', classification: 'public', required: false },
    {
      key: 'constructor',
      label: 'Odd key',
      type: 'text',
      classification: 'internal',
      required: false,
    },
  ],
}

let keys: TestKeys
const tenantId = randomUUID()

beforeAll(async () => {
  keys = createTestKeys()
  await keys.keyring.createTenantKey(tenantId)
})

describe('DATA-1 record values', () => {
  it.each([
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['2026-04-31', false],
    ['0001-01-01', true],
    ['9999-12-31', true],
    ['0000-06-01', false],
    ['2026-1-01', false],
    ['2026-01-01 ', false],
  ])('DATA-1: %s is a calendar date: %s', (text, ok) => {
    expect(isCalendarDate(text)).toBe(ok)
  })

  it('DATA-1: create drops nulls of optional fields; update keeps them as clears', () => {
    expect(checkRecordValues(collection, { name: 'A', city: null }, 'create')).toEqual({
      ok: true,
      values: { name: 'A' },
    })
    expect(checkRecordValues(collection, { city: null }, 'update')).toEqual({
      ok: true,
      values: { city: null },
    })
    expect(checkRecordValues(collection, {}, 'update')).toEqual({ ok: true, values: {} })
  })

  it('DATA-1: prototype keys are fields only when the schema says so', () => {
    const parsed = JSON.parse('{"name":"A","__proto__":{"x":1},"toString":"y"}')
    const result = checkRecordValues(collection, parsed, 'create')
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.issues.map((i) => `${i.field}:${i.code}`)).toEqual([
        '__proto__:unknown_field',
        'toString:unknown_field',
      ])
    }
    // A field whose key happens to be `constructor` is an ordinary own value.
    const odd = checkRecordValues(collection, { name: 'A' }, 'create')
    expect(odd).toEqual({ ok: true, values: { name: 'A' } })
    const set = checkRecordValues(collection, { name: 'A', constructor: 'c' }, 'create')
    expect(set.ok && Object.hasOwn(set.values, 'constructor')).toBe(true)
  })

  it('DATA-1: input that is not a plain object is refused', () => {
    for (const input of [null, [], 'x', 1, new Date()]) {
      expect(checkRecordValues(collection, input, 'create').ok).toBe(false)
    }
  })
})

describe('KMS-2 sealing', () => {
  it('KMS-2: personal and sensitive values are sealed, typed values survive, the index is normalised', async () => {
    const recordId = randomUUID()
    const values = {
      name: 'Ada',
      email: ' Ada@Example.COM ',
      score: 0.5,
      vip: false,
      city: 'London',
    }
    const sealed = await sealRecord(keys.keyring, tenantId, collection, recordId, values)
    expect(sealed.data).toEqual({ city: 'London' })
    expect(Object.keys(sealed.sealed).sort()).toEqual(['email', 'name', 'score', 'vip'])
    for (const v of Object.values(sealed.sealed))
      expect(keyVersionOf(Buffer.from(v, 'base64'))).toBe(1)
    expect(sealed.subjectKeyVersion).toBe(1)
    const same = await sealRecord(keys.keyring, tenantId, collection, randomUUID(), {
      name: 'B',
      email: 'ada@example.com',
    })
    expect(same.subjectIndex?.equals(sealed.subjectIndex as Buffer)).toBe(true)
    // Equal ciphertexts never: each value has its own nonce and record binding.
    expect(same.sealed.email).not.toBe(sealed.sealed.email)
    const other = await sealRecord(
      keys.keyring,
      tenantId,
      { ...collection, id: randomUUID() },
      recordId,
      values,
    )
    expect(other.subjectIndex?.equals(sealed.subjectIndex as Buffer)).toBe(false)

    const opened = await openRecord(keys.keyring, tenantId, collection, {
      id: recordId,
      data: sealed.data,
      sealed: sealed.sealed,
    })
    expect(opened).toEqual({ ...values, constructor: null })
  })
})
