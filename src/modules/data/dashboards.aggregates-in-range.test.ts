// SEC-3, AUTHZ-3: no number a record can hold breaks a dashboard: values beyond 10^15 are refused
// at the door (422 naming the field), sums of the largest accepted values still show, and a kiosk
// screen whose page cannot be computed is never counted as guessing (its address stays usable).
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedIn,
  signInBearer,
  signUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { addRecords, newDashboard, newSalesCollection, times } from './dashboards.test-support.ts'
import { call, expectStatus } from './data.test-support.ts'

const THROTTLE_AFTER = 2

let t: TestApp
let owner: SignedIn
let collectionId: string
let dashboardId: string

beforeAll(async () => {
  t = await createTestApp({
    env: { RAMPART_KIOSK_THROTTLE_AFTER: String(THROTTLE_AFTER), RAMPART_KIOSK_BLOCK_AFTER: '4' },
  })
  const org = await signUp(t.app)
  owner = await signInBearer(t.app, org)
  const sales = await newSalesCollection(t, owner)
  collectionId = sales.id
  await addRecords(t, owner, sales.id, times(5, { region: 'north', amount: 1e15 }))
  const dashboard = await newDashboard(t, owner, [
    { title: 'Records', collectionId: sales.id, aggregate: 'count' },
    { title: 'Revenue', collectionId: sales.id, aggregate: 'sum', field: 'amount' },
  ])
  dashboardId = dashboard.id
})
afterAll(() => t.close())

describe('aggregates stay in range', () => {
  it('SEC-3: a number beyond 10^15 is refused with 422 naming the field', async () => {
    for (const amount of [1e308, -1e16]) {
      const res = await call(t, owner, 'POST', `/api/v1/collections/${collectionId}/records`, {
        values: { region: 'north', amount },
      })
      expect(res.statusCode, res.body).toBe(422)
      expect(res.json().error).toMatchObject({
        code: 'DATA_VALUE_INVALID',
        details: { field: 'amount' },
      })
    }
  })

  it('SEC-3: sums of the largest accepted values are shown', async () => {
    const res = await call(t, owner, 'GET', `/api/v1/dashboards/${dashboardId}/data`)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().widgets.map((w: { value: number }) => w.value)).toEqual([5, 5e15])
  })

  it('AUTHZ-3: a kiosk page that cannot be computed is not counted as a guess', async () => {
    const link = await call(t, owner, 'POST', '/api/v1/kiosk-links', {
      name: 'Wall',
      dashboardIds: [dashboardId],
    })
    expectStatus(link, 201)
    const token = link.json().token as string
    // Values no API accepts, written underneath it: their sum overflows in the database.
    await sql`UPDATE records SET data = jsonb_set(data, '{amount}', '1e308'::jsonb)
      WHERE collection_id = ${collectionId}`.execute(t.database.handle.db)
    const view = () =>
      t.app.inject({ method: 'GET', url: `/kiosk/${token}`, remoteAddress: '198.51.100.77' })
    const failing: number[] = []
    for (let i = 0; i < THROTTLE_AFTER + 2; i++) failing.push((await view()).statusCode)
    expect(failing.every((status) => status !== 429 && status !== 200 && status < 500)).toBe(true)
    // Once the figures are sound again, the same screen is served at once.
    await sql`UPDATE records SET data = jsonb_set(data, '{amount}', '1'::jsonb)
      WHERE collection_id = ${collectionId}`.execute(t.database.handle.db)
    expect((await view()).statusCode).toBe(200)
  })
})
