// LOG-2: the application role can read audit rows and append through the log function, and
// nothing else: no UPDATE, DELETE or TRUNCATE, no direct INSERT, no append to another log.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabase, type TestDatabase } from '../../../test/support/database.ts'
import { withAppRole, withTenant } from '../../db/tenant.ts'
import { recordEvent, recordPlatformEvent, sequencePending } from './audit.service.ts'
import { PLATFORM_LOG } from './events.ts'

let t: TestDatabase
const A = randomUUID()
const B = randomUUID()
const event = {
  category: 'iam',
  action: 'test.event',
  outcome: 'success',
  actor: { type: 'system' },
} as const

beforeAll(async () => {
  t = await openTestDatabase()
  await withTenant(t.handle, A, (trx) => recordEvent(trx, A, event))
  await withTenant(t.handle, B, (trx) => recordEvent(trx, B, event))
  await sequencePending(t.handle)
})
afterAll(() => t.dispose())

describe('audit tables for the application role', () => {
  it.each([
    ['UPDATE', sql`UPDATE audit_entries SET event = '{}'`],
    ['DELETE', sql`DELETE FROM audit_entries`],
    ['TRUNCATE', sql`TRUNCATE audit_entries`],
    [
      'INSERT',
      sql`INSERT INTO audit_entries (tenant_id, idx, leaf_hash, event) VALUES (${A}, 99, '\\x00', '{}')`,
    ],
    ['UPDATE of the head', sql`UPDATE audit_heads SET size = 0`],
    ['DELETE of nodes', sql`DELETE FROM audit_nodes`],
    ['DELETE of checkpoints', sql`DELETE FROM audit_checkpoints`],
    ['SELECT of queued events', sql`SELECT * FROM audit_queue`],
    ['DELETE of queued events', sql`DELETE FROM audit_queue`],
    [
      'direct INSERT of a queued event',
      sql`INSERT INTO audit_queue (tenant_id, event) VALUES (${A}, '{}')`,
    ],
  ])('LOG-2: %s is refused (42501), even inside its own tenant', async (_what, statement) => {
    const attempt = withTenant(t.handle, A, (trx) => statement.execute(trx))
    await expect(attempt).rejects.toMatchObject({ code: '42501' })
  })

  it("LOG-2: an append to another tenant's log is refused", async () => {
    const attempt = withTenant(t.handle, A, (trx) => recordEvent(trx, B, event))
    await expect(attempt).rejects.toMatchObject({ code: '42501' })
  })

  it('LOG-2: the platform log takes appends only in the platform context', async () => {
    const outside = withAppRole(t.handle.db, t.handle.appRole, (trx) =>
      sql`SELECT rampart_audit_append(${PLATFORM_LOG}::uuid, '{}')`.execute(trx),
    )
    await expect(outside).rejects.toMatchObject({ code: '42501' })
    const inTenant = withTenant(t.handle, A, (trx) => recordEvent(trx, PLATFORM_LOG, event))
    await expect(inTenant).rejects.toMatchObject({ code: '42501' })
    await recordPlatformEvent(t.handle, event)
    expect(await sequencePending(t.handle, PLATFORM_LOG)).toBe(1)
  })

  it("AUTHZ-5: a tenant reads its own audit entries and none of another's", async () => {
    const seen = await withTenant(t.handle, A, (trx) =>
      trx.selectFrom('audit_entries').select('tenant_id').execute(),
    )
    expect(seen.length).toBeGreaterThan(0)
    expect(seen.every((r) => r.tenant_id === A)).toBe(true)
  })
})
