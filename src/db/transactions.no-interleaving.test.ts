// AUTHZ-5: parallel transactions never see each other's tenant context or partial writes; on
// PGlite, whose single connection is queued, and on PostgreSQL, whose pool gives each its own
// connection.
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabase, type TestDatabase } from '../../test/support/database.ts'
import { withTenant } from './tenant.ts'

let t: TestDatabase
beforeAll(async () => {
  t = await openTestDatabase()
})
afterAll(() => t.dispose())

describe('transactions under parallel load', () => {
  it('AUTHZ-5: twenty parallel withTenant transactions each keep their own tenant throughout', async () => {
    const tenants = Array.from({ length: 20 }, () => randomUUID())
    const seen = await Promise.all(
      tenants.map((id, i) =>
        withTenant(t.handle, id, async (trx) => {
          const before = await sql<{
            v: string
          }>`SELECT current_setting('rampart.tenant_id') AS v`.execute(trx)
          await sleep(i % 3) // yield so that other transactions get their turn in between
          const after = await sql<{
            v: string
          }>`SELECT current_setting('rampart.tenant_id') AS v`.execute(trx)
          return [before.rows[0]?.v, after.rows[0]?.v]
        }),
      ),
    )
    expect(seen).toEqual(tenants.map((id) => [id, id]))
  })

  it('a failed transaction rolls back and does not block the next one', async () => {
    const id = randomUUID()
    const failing = withTenant(t.handle, id, async (trx) => {
      await trx
        .insertInto('tenants')
        .values({ id, slug: `f-${id}`, name: 'F', region: 'eu' })
        .execute()
      throw new Error('boom')
    })
    await expect(failing).rejects.toThrow('boom')
    const next = await withTenant(t.handle, id, (trx) =>
      trx.selectFrom('tenants').select('id').where('id', '=', id).execute(),
    )
    expect(next).toEqual([])
  })
})
