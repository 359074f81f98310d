// KMS-2: personal and sensitive values are stored only as field ciphertext: nothing of them, in
// any form the API accepts them in, appears in plaintext in their record's row, in any other row
// of the organisation, or in its audit log.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SignedIn, SignedUp } from '../../../test/support/app.ts'
import { keyVersionOf } from '../../crypto/field-encryption.ts'
import { newOrg } from '../access/groups.test-support.ts'
import { sequencePending } from '../audit/audit.service.ts'
import type { Collection } from './collections.service.ts'
import {
  call,
  createDataTestApp,
  type DataTestApp,
  newCollection,
  newRecord,
  rawRecord,
} from './data.test-support.ts'

let t: DataTestApp
let org: SignedUp
let owner: SignedIn
let people: Collection

// Distinctive values: found anywhere, they could only have come from this test.
const NAME = 'Zebulon Quixotic-Marchbanks'
const EMAIL = 'Zebulon.Quixotic@Example.org'
const DIAGNOSIS = 'Xylophonitis Gravissima'

/** Every text a value could be found as: as sent, lower-cased, and the parts of a name. */
const forms = (value: string) => [value, value.toLowerCase(), ...value.split(/[ .@-]/)]

/** A row as text, bytea columns included (decoded as UTF-8 and Latin-1, so text in them shows). */
function rowText(row: Record<string, unknown>): string {
  return JSON.stringify(row, (_key, value: unknown) =>
    value instanceof Uint8Array
      ? `${Buffer.from(value).toString('utf8')} ${Buffer.from(value).toString('latin1')}`
      : value,
  )
}

beforeAll(async () => {
  t = await createDataTestApp()
  ;({ org, owner } = await newOrg(t))
  people = await newCollection(t, owner)
})
afterAll(() => t.close())

describe('KMS-2 records stored encrypted', () => {
  it('KMS-2: personal and sensitive values live only as ciphertext in sealed, public ones in data', async () => {
    const r = await newRecord(t, owner, people.id, {
      name: NAME,
      email: EMAIL,
      diagnosis: DIAGNOSIS,
      city: 'Plainville',
      age: 33,
    })
    // Read back through the API: the values are all there.
    expect(r.values).toMatchObject({ name: NAME, email: EMAIL, diagnosis: DIAGNOSIS })

    // The owner connection reads the raw row, beneath row-level security.
    const row = await rawRecord(t, r.id)
    if (!row) throw new Error('no row')
    expect(row.data).toEqual({ city: 'Plainville', age: 33 })
    expect(Object.keys(row.sealed).sort()).toEqual(['diagnosis', 'email', 'name'])
    for (const value of Object.values(row.sealed)) {
      const bytes = Buffer.from(value, 'base64')
      expect(bytes[0]).toBe(1)
      expect(keyVersionOf(bytes)).toBe(1)
    }
    // The blind index is a 32-byte HMAC, not the address.
    expect(Buffer.from(row.subject_index as Uint8Array)).toHaveLength(32)
    expect(row.subject_key_version).toBe(1)
    const text = rowText(row)
    for (const secret of [...forms(NAME), ...forms(EMAIL), ...forms(DIAGNOSIS)]) {
      if (secret.length >= 4) expect(text).not.toContain(secret)
    }
    expect(text).toContain('Plainville')
  })

  it('KMS-2, LOG-1: no row of the organisation, audit log included, holds the values', async () => {
    const r = await newRecord(t, owner, people.id, {
      name: NAME,
      email: EMAIL,
      diagnosis: DIAGNOSIS,
    })
    await call(t, owner, 'PATCH', `/api/v1/collections/${people.id}/records/${r.id}`, {
      values: { diagnosis: `${DIAGNOSIS} II`, email: EMAIL.toUpperCase() },
    })
    await call(t, owner, 'GET', `/api/v1/collections/${people.id}/records?subject=${EMAIL}`)
    await sequencePending(t.database.handle, org.tenant.id)
    const db = t.database.handle.db
    const tables = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name = 'tenant_id'
      ORDER BY table_name`.execute(db)
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['records', 'audit_entries', 'collections', 'collection_versions']),
    )
    for (const { table_name } of tables.rows) {
      const { rows } = await sql<Record<string, unknown>>`
        SELECT * FROM ${sql.table(table_name)} WHERE tenant_id = ${org.tenant.id}`.execute(db)
      const text = rows.map(rowText).join('\n')
      for (const secret of [...forms(NAME), ...forms(EMAIL), ...forms(DIAGNOSIS)]) {
        if (secret.length >= 4) expect(text, `${table_name} holds ${secret}`).not.toContain(secret)
      }
    }
  })
  it('KMS-5: once the tenant key is shredded, personal values can be neither read nor written (409)', async () => {
    const r = await newRecord(t, owner, people.id, { name: NAME, city: 'Plainville' })
    await t.ctx.keys.shred(org.tenant.id)
    const url = `/api/v1/collections/${people.id}/records`
    const responses = [
      await call(t, owner, 'GET', `${url}/${r.id}`),
      await call(t, owner, 'GET', url),
      await call(t, owner, 'GET', `${url}?subject=${encodeURIComponent(EMAIL)}`),
      await call(t, owner, 'POST', url, { values: { name: 'New' } }),
    ]
    for (const res of responses) {
      expect(res.statusCode, res.body).toBe(409)
      expect(res.json().error).toMatchObject({
        code: 'DATA_KEY_UNAVAILABLE',
        details: { reason: 'tenant_shredded' },
      })
    }
  })
})
