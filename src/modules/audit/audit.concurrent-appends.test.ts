// LOG-2: appends racing each other never fork the tree or lose an entry: 1,000 concurrent appends
// to one log give exactly 1,000 leaves that re-derive to the stored head, and so do concurrent
// appends spread over several logs.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabase, type TestDatabase } from '../../../test/support/database.ts'
import { withTenant } from '../../db/tenant.ts'
import { loadStoredLog } from './audit.repository.ts'
import { recordEvent } from './audit.service.ts'
import { checkStoredLog } from './log-check.ts'
import { rootOfFrontier } from './merkle.ts'

let t: TestDatabase
beforeAll(async () => {
  t = await openTestDatabase()
})
afterAll(() => t.dispose())

function append(tenantId: string, n: number) {
  return withTenant(t.handle, tenantId, (trx) =>
    recordEvent(trx, tenantId, {
      category: 'data',
      action: 'record.update',
      outcome: 'success',
      actor: { type: 'system' },
      fields: [`field_${n}`],
    }),
  )
}

async function checked(tenantId: string) {
  const stored = await withTenant(t.handle, tenantId, (trx) => loadStoredLog(trx, tenantId))
  const result = checkStoredLog(stored)
  if (!result.ok) throw new Error(result.problem)
  expect(result.root.equals(rootOfFrontier(stored.head?.frontier ?? []))).toBe(true)
  return { result, stored }
}

describe('concurrent appends', () => {
  it('LOG-2: 1,000 concurrent appends to one log give exactly 1,000 leaves that verify', async () => {
    const tenant = randomUUID()
    const indexes = await Promise.all(Array.from({ length: 1000 }, (_, n) => append(tenant, n)))
    expect(new Set(indexes).size).toBe(1000)
    expect(Math.min(...indexes)).toBe(0)
    expect(Math.max(...indexes)).toBe(999)
    const { result, stored } = await checked(tenant)
    expect(result.ok && result.size).toBe(1000)
    // Every event made it in exactly once.
    const fields = stored.entries.map(
      (e) => (JSON.parse(e.event) as { fields: string[] }).fields[0],
    )
    expect(new Set(fields).size).toBe(1000)
  }, 120_000)

  it('LOG-2: concurrent appends spread over four logs keep every log whole', async () => {
    const tenants = Array.from({ length: 4 }, () => randomUUID())
    await Promise.all(Array.from({ length: 400 }, (_, n) => append(tenants[n % 4] as string, n)))
    for (const tenant of tenants) {
      const { result } = await checked(tenant)
      expect(result.ok && result.size).toBe(100)
    }
  }, 120_000)
})
