// LOG-2: re-deriving a stored log catches every kind of tampering with its rows: an altered
// entry, a deleted entry (the newest too), reordered entries and a rewritten node.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabase, type TestDatabase } from '../../../test/support/database.ts'
import { withTenant } from '../../db/tenant.ts'
import { loadStoredLog } from './audit.repository.ts'
import { recordEvent, sequencePending } from './audit.service.ts'
import { checkStoredLog } from './log-check.ts'

let t: TestDatabase
beforeAll(async () => {
  t = await openTestDatabase()
})
afterAll(() => t.dispose())

/** A fresh log of `n` entries; returns its tenant id. */
async function freshLog(n = 11): Promise<string> {
  const tenant = randomUUID()
  for (let i = 0; i < n; i++) {
    await withTenant(t.handle, tenant, (trx) =>
      recordEvent(trx, tenant, {
        category: 'iam',
        action: 'session.create',
        outcome: i % 3 === 0 ? 'failure' : 'success',
        actor: { type: 'system' },
        fields: [`f${i}`],
      }),
    )
  }
  await sequencePending(t.handle, tenant)
  return tenant
}

// Tampering is done on the owner's connection, as someone with direct database access would.
async function tamperAndCheck(tenant: string, tamper: string) {
  for (const statement of tamper.split(';')) {
    await sql.raw(statement.replaceAll('$T', `'${tenant}'`)).execute(t.handle.db)
  }
  return checkStoredLog(await loadStoredLog(t.handle.db, tenant))
}

describe('stored log checks', () => {
  it('LOG-2: an untouched log checks out', async () => {
    const tenant = await freshLog()
    const result = checkStoredLog(await loadStoredLog(t.handle.db, tenant))
    expect(result).toMatchObject({ ok: true, size: 11 })
  })

  it.each([
    [
      'an altered entry',
      `UPDATE audit_entries SET event = replace(event, '"failure"', '"success"') WHERE tenant_id = $T AND idx = 6`,
      6,
    ],
    ['a deleted entry', 'DELETE FROM audit_entries WHERE tenant_id = $T AND idx = 4', 4],
    ['the newest entry deleted', 'DELETE FROM audit_entries WHERE tenant_id = $T AND idx = 10', 10],
    [
      'two entries swapped',
      `UPDATE audit_entries SET idx = -1 WHERE tenant_id = $T AND idx = 2;
       UPDATE audit_entries SET idx = 2 WHERE tenant_id = $T AND idx = 3;
       UPDATE audit_entries SET idx = 3 WHERE tenant_id = $T AND idx = -1`,
      2,
    ],
    [
      'an entry rewritten with a matching leaf hash',
      `UPDATE audit_entries SET event = '{"forged":true}',
         leaf_hash = sha256('\\x00'::bytea || convert_to('{"forged":true}', 'UTF8'))
       WHERE tenant_id = $T AND idx = 8`,
      8,
    ],
  ])('LOG-2: catches %s and names the first bad index', async (_what, tamper, index) => {
    const tenant = await freshLog()
    const result = await tamperAndCheck(tenant, tamper)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.firstBadIndex).toBe(index)
  })
})
