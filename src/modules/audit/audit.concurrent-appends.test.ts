// LOG-2: appends racing each other never fork the tree or lose an entry: 1,000 concurrent appends
// to one log, integrated meanwhile by three sequencers racing each other (as several nodes do),
// give exactly 1,000 leaves that re-derive to the stored head, and so do concurrent appends
// spread over several logs.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabase, type TestDatabase } from '../../../test/support/database.ts'
import { withTenant } from '../../db/tenant.ts'
import { loadStoredLog } from './audit.repository.ts'
import { recordEvent, sequencePending } from './audit.service.ts'
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

/** Appends `count` events to the logs `tenantOf` picks while three sequencers race them. */
async function appendWhileSequencing(count: number, tenantOf: (n: number) => string) {
  let appending = true
  const sequencer = async () => {
    // Small batches: many sequencer transactions interleave with the appends.
    while (appending) await sequencePending(t.handle, undefined, 7)
  }
  const sequencers = [sequencer(), sequencer(), sequencer()]
  await Promise.all(Array.from({ length: count }, (_, n) => append(tenantOf(n), n)))
  appending = false
  await Promise.all(sequencers)
  await sequencePending(t.handle)
  const { rows } = await sql<{ n: string | number }>`
    SELECT count(*) AS n FROM audit_queue`.execute(t.handle.db)
  expect(Number(rows[0]?.n)).toBe(0)
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
    await appendWhileSequencing(1000, () => tenant)
    const { result, stored } = await checked(tenant)
    expect(result.ok && result.size).toBe(1000)
    expect(stored.entries.map((e) => e.idx)).toEqual(Array.from({ length: 1000 }, (_, i) => i))
    // Every event made it in exactly once.
    const fields = stored.entries.map(
      (e) => (JSON.parse(e.event) as { fields: string[] }).fields[0],
    )
    expect(new Set(fields).size).toBe(1000)
  }, 120_000)

  it('LOG-2: concurrent appends spread over four logs keep every log whole', async () => {
    const tenants = Array.from({ length: 4 }, () => randomUUID())
    await appendWhileSequencing(400, (n) => tenants[n % 4] as string)
    for (const tenant of tenants) {
      const { result } = await checked(tenant)
      expect(result.ok && result.size).toBe(100)
    }
  }, 120_000)
})
