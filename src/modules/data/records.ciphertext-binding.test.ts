// KMS-2: a personal or sensitive value decrypts only in the record, field and tenant it was
// written for; moved anywhere else (or altered), the API refuses it with a clear code and shows
// nothing of it.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import type { Collection } from './collections.service.ts'
import {
  call,
  createDataTestApp,
  type DataTestApp,
  loggedEvents,
  newCollection,
  newRecord,
  rawRecord,
} from './data.test-support.ts'
import type { DataRecord } from './records.service.ts'
import type { SealedValues } from './records.table.ts'

let t: DataTestApp
let acme: SignedUp
let acmeOwner: SignedIn
let beta: SignedUp
let betaOwner: SignedIn
let people: Collection

/** Overwrites a record's sealed values on the owner connection, as an attacker in the database. */
async function setSealed(recordId: string, sealed: Record<string, unknown>): Promise<void> {
  await sql`UPDATE records SET sealed = ${JSON.stringify(sealed)}::jsonb WHERE id = ${recordId}`.execute(
    t.database.handle.db,
  )
}

async function sealedOf(recordId: string): Promise<SealedValues> {
  const row = await rawRecord(t, recordId)
  if (!row) throw new Error('no such record')
  return row.sealed
}

/** Every read path of the record refuses it, naming the record and field, never a value. */
async function expectUnreadable(r: DataRecord, field: string, secrets: string[]): Promise<void> {
  const base = `/api/v1/collections/${r.collectionId}/records`
  const responses = [
    await call(t, acmeOwner, 'GET', `${base}/${r.id}`),
    await call(t, acmeOwner, 'GET', base),
    await call(t, acmeOwner, 'PATCH', `${base}/${r.id}`, { values: { city: 'Elsewhere' } }),
  ]
  for (const res of responses) {
    expect(res.statusCode, res.body).toBe(409)
    expect(res.json().error).toMatchObject({
      code: 'DATA_RECORD_UNREADABLE',
      details: { recordId: r.id, field },
    })
    for (const secret of secrets) expect(res.body).not.toContain(secret)
  }
}

beforeAll(async () => {
  t = await createDataTestApp()
  acme = await signUp(t.app)
  acmeOwner = await signInBearer(t.app, acme)
  beta = await signUp(t.app)
  betaOwner = await signInBearer(t.app, beta)
  people = await newCollection(t, acmeOwner)
})
afterAll(() => t.close())

describe('KMS-2 ciphertext binding', () => {
  it('KMS-2: a ciphertext copied to another record of the collection fails to decrypt', async () => {
    const ada = await newRecord(t, acmeOwner, people.id, { name: 'Ada Secret', city: 'London' })
    const alan = await newRecord(t, acmeOwner, people.id, { name: 'Alan Other', city: 'Wilmslow' })
    await setSealed(alan.id, { ...(await sealedOf(alan.id)), name: (await sealedOf(ada.id)).name })
    await expectUnreadable(alan, 'name', ['Ada Secret'])
    // LOG-1: each refusal is in the audit log, with the record and the field's name only.
    const refusals = (await loggedEvents(t, acme.tenant.id)).filter(
      (e) => e.action === 'record.read' && e.target?.id === alan.id,
    )
    expect(refusals).toHaveLength(3)
    expect(refusals[0]).toMatchObject({
      outcome: 'failure',
      reason: 'ciphertext_rejected',
      fields: ['name'],
      parent: { type: 'collection', id: people.id },
    })
    // The original is untouched and still reads.
    const still = await call(
      t,
      acmeOwner,
      'GET',
      `/api/v1/collections/${people.id}/records/${ada.id}`,
    )
    expect(still.json().values.name).toBe('Ada Secret')
    await call(t, acmeOwner, 'DELETE', `/api/v1/collections/${people.id}/records/${alan.id}`)
  })

  it('KMS-2: a ciphertext copied to another field of the same record fails to decrypt', async () => {
    const r = await newRecord(t, acmeOwner, people.id, { name: 'Grace Secret', diagnosis: 'flu' })
    const sealed = await sealedOf(r.id)
    await setSealed(r.id, { ...sealed, diagnosis: sealed.name })
    await expectUnreadable(r, 'diagnosis', ['Grace Secret'])
    await call(t, acmeOwner, 'DELETE', `/api/v1/collections/${people.id}/records/${r.id}`)
  })

  it("KMS-2: a ciphertext copied from another tenant's record fails to decrypt", async () => {
    const theirs = await newCollection(t, betaOwner)
    const foreign = await newRecord(t, betaOwner, theirs.id, { name: 'Beta Secret' })
    const r = await newRecord(t, acmeOwner, people.id, { name: 'Acme Own' })
    await setSealed(r.id, { name: (await sealedOf(foreign.id)).name })
    await expectUnreadable(r, 'name', ['Beta Secret', 'Acme Own'])
    await call(t, acmeOwner, 'DELETE', `/api/v1/collections/${people.id}/records/${r.id}`)
  })

  it('KMS-2: an altered or malformed ciphertext is refused the same way', async () => {
    const r = await newRecord(t, acmeOwner, people.id, { name: 'Edsger Secret' })
    const original = Buffer.from((await sealedOf(r.id)).name as string, 'base64')
    const flipped = Buffer.from(original)
    flipped[flipped.length - 20] = (flipped[flipped.length - 20] ?? 0) ^ 1
    for (const name of [flipped.toString('base64'), 'bm90IGEgY2lwaGVydGV4dA==', 42, '']) {
      await setSealed(r.id, { name })
      await expectUnreadable(r, 'name', ['Edsger Secret'])
    }
    // Put back, it reads again: the refusal was the ciphertext's, not the record's.
    await setSealed(r.id, { name: original.toString('base64') })
    const back = await call(t, acmeOwner, 'GET', `/api/v1/collections/${people.id}/records/${r.id}`)
    expect(back.json().values.name).toBe('Edsger Secret')
  })
})
