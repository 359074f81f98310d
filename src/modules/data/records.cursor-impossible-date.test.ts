// SEC-3: a cursor naming a timestamp that is no real instant (30 February, year 0000) is refused
// with 400 DATA_CURSOR_INVALID, never passed to the database to fail there (REQUEST_INVALID or 500).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { type SignedIn, signInBearer, signUp } from '../../../test/support/app.ts'
import type { Collection } from './collections.service.ts'
import {
  call,
  createDataTestApp,
  type DataTestApp,
  expectStatus,
  newCollection,
  newRecord,
} from './data.test-support.ts'

let t: DataTestApp
let owner: SignedIn
let people: Collection

const IMPOSSIBLE = ['2024-02-30T00:00:00.000000Z', '0000-01-01T00:00:00.000000Z']

/** A cursor of the server's own making, with its position replaced. */
function withPosition(cursor: string, position: string): string {
  const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[]
  parsed[1] = position
  return Buffer.from(JSON.stringify(parsed), 'utf8').toString('base64url')
}

beforeAll(async () => {
  t = await createDataTestApp()
  const org = await signUp(t.app)
  owner = await signInBearer(t.app, org)
  people = await newCollection(t, owner)
  for (const name of ['Ada', 'Bea', 'Cy']) {
    const r = await newRecord(t, owner, people.id, { name })
    expectStatus(
      await call(t, owner, 'DELETE', `/api/v1/collections/${people.id}/records/${r.id}`),
      200,
    )
    await newRecord(t, owner, people.id, { name })
  }
})
afterAll(() => t.close())

describe('cursors naming impossible timestamps', () => {
  it.each(IMPOSSIBLE)(
    'SEC-3: a records cursor at %s is refused as DATA_CURSOR_INVALID, not REQUEST_INVALID',
    async (position) => {
      const first = await call(t, owner, 'GET', `/api/v1/collections/${people.id}/records?limit=1`)
      expectStatus(first, 200)
      const cursor = withPosition(first.json().nextCursor as string, position)
      const res = await call(
        t,
        owner,
        'GET',
        `/api/v1/collections/${people.id}/records?limit=1&cursor=${cursor}`,
      )
      expect(res.statusCode, res.body).toBe(400)
      expect(res.json().error.code).toBe('DATA_CURSOR_INVALID')
    },
  )

  it.each(IMPOSSIBLE)(
    'SEC-3: a recently-deleted cursor at %s is refused as DATA_CURSOR_INVALID, not REQUEST_INVALID',
    async (position) => {
      const first = await call(t, owner, 'GET', '/api/v1/recently-deleted?limit=1')
      expectStatus(first, 200)
      const cursor = withPosition(first.json().nextCursor as string, position)
      const res = await call(t, owner, 'GET', `/api/v1/recently-deleted?limit=1&cursor=${cursor}`)
      expect(res.statusCode, res.body).toBe(400)
      expect(res.json().error.code).toBe('DATA_CURSOR_INVALID')
    },
  )
})
