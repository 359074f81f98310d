// LOG-2: `audit verify` finds tampering even when the attacker rewrites the database consistently
// (entries, leaf hashes, subtrees and head all recomputed): the signed checkpoints, stored and
// witnessed outside the database, no longer match, and a forged checkpoint does not verify.
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { appendFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabase, type TestDatabase } from '../../../test/support/database.ts'
import { withTenant } from '../../db/tenant.ts'
import { appendEntry } from './audit.repository.ts'
import { recordEvent, sequencePending } from './audit.service.ts'
import { type CheckpointSigner, signerFromPrivateKey } from './checkpoint.ts'
import { checkpointPending, directoryWitness } from './checkpointer.ts'
import { verifyLog, verifyLogs } from './verify.ts'

let t: TestDatabase
let signer: CheckpointSigner
beforeAll(async () => {
  t = await openTestDatabase()
  signer = signerFromPrivateKey(generateKeyPairSync('ed25519').privateKey)
})
afterAll(() => t.dispose())

/** A log of 10 entries with checkpoints at sizes 5 and 10, witnessed in a fresh directory. */
async function checkpointedLog() {
  const tenant = randomUUID()
  const witnessDir = mkdtempSync(join(tmpdir(), 'rampart-witness-'))
  const witness = directoryWitness(witnessDir)
  for (let i = 0; i < 10; i++) {
    await withTenant(t.handle, tenant, (trx) =>
      recordEvent(trx, tenant, {
        category: 'iam',
        action: 'session.create',
        outcome: 'success',
        actor: { type: 'system' },
        fields: [`f${i}`],
      }),
    )
    if (i === 4 || i === 9) await checkpointPending(t.handle, signer, witness)
  }
  return { tenant, witnessDir }
}

async function eventsOf(tenant: string): Promise<string[]> {
  const rows = await t.handle.db
    .selectFrom('audit_entries')
    .select('event')
    .where('tenant_id', '=', tenant)
    .orderBy('idx')
    .execute()
  return rows.map((r) => r.event)
}

/** An attacker with database access rebuilds the whole log, consistently, from `events`. */
async function rebuild(tenant: string, events: string[]) {
  for (const table of ['audit_entries', 'audit_nodes', 'audit_heads']) {
    await sql`DELETE FROM ${sql.table(table)} WHERE tenant_id = ${tenant}`.execute(t.handle.db)
  }
  for (const event of events) {
    await withTenant(t.handle, tenant, (trx) => appendEntry(trx, tenant, event))
  }
  await sequencePending(t.handle, tenant)
}

const verify = (tenant: string, witnessDir: string, publicKey = signer.publicKey) =>
  verifyLog(t.handle.db, tenant, { publicKey, witnessDir })

describe('audit verify', () => {
  it('LOG-2: an untouched log with stored and witnessed checkpoints verifies', async () => {
    const { tenant, witnessDir } = await checkpointedLog()
    expect(await verify(tenant, witnessDir)).toMatchObject({
      ok: true,
      size: 10,
      checkpoints: 2,
      witnessed: 2,
    })
  })

  it('LOG-2: catches an entry rewritten consistently, after the last checkpoint it still matches', async () => {
    const { tenant, witnessDir } = await checkpointedLog()
    const events = await eventsOf(tenant)
    events[7] = (events[7] as string).replace('"success"', '"failure"')
    await rebuild(tenant, events)
    const result = await verify(tenant, witnessDir)
    expect(result).toMatchObject({ ok: false, firstBadIndex: 5 })
    expect(result.problem).toContain('entries rewritten')
  })

  it('LOG-2: catches an entry deleted from the middle, consistently', async () => {
    const { tenant, witnessDir } = await checkpointedLog()
    const events = await eventsOf(tenant)
    events.splice(3, 1)
    await rebuild(tenant, events)
    expect(await verify(tenant, witnessDir)).toMatchObject({ ok: false, firstBadIndex: 0 })
  })

  it('LOG-2: catches the newest entry deleted, consistently', async () => {
    const { tenant, witnessDir } = await checkpointedLog()
    await rebuild(tenant, (await eventsOf(tenant)).slice(0, 9))
    const result = await verify(tenant, witnessDir)
    expect(result).toMatchObject({ ok: false, firstBadIndex: 9 })
    expect(result.problem).toContain('truncated to 9 entries')
  })

  it('LOG-2: catches reordered entries, consistently', async () => {
    const { tenant, witnessDir } = await checkpointedLog()
    const events = await eventsOf(tenant)
    ;[events[6], events[8]] = [events[8] as string, events[6] as string]
    await rebuild(tenant, events)
    expect(await verify(tenant, witnessDir)).toMatchObject({ ok: false, firstBadIndex: 5 })
  })

  it('LOG-2: catches a forged checkpoint in the database and one in the witness', async () => {
    const forger = signerFromPrivateKey(generateKeyPairSync('ed25519').privateKey)
    const { tenant, witnessDir } = await checkpointedLog()
    const forged = forger.sign({
      log: tenant,
      size: 10,
      root: '00'.repeat(32),
      time: new Date().toISOString(),
    })
    appendFileSync(join(witnessDir, `${tenant}.jsonl`), `${JSON.stringify(forged)}\n`)
    const result = await verify(tenant, witnessDir)
    expect(result.ok).toBe(false)
    expect(result.problem).toContain('signature does not verify')

    const other = await checkpointedLog()
    await sql`UPDATE audit_checkpoints SET root = ${Buffer.alloc(32)} WHERE tenant_id = ${other.tenant} AND size = 10`.execute(
      t.handle.db,
    )
    const altered = await verify(other.tenant, other.witnessDir)
    expect(altered.ok).toBe(false)
    expect(altered.problem).toContain('stored checkpoint at size 10: signature does not verify')
  })

  it('LOG-2: catches a log truncated below a witnessed checkpoint, with the stored checkpoints removed too', async () => {
    const { tenant, witnessDir } = await checkpointedLog()
    await rebuild(tenant, (await eventsOf(tenant)).slice(0, 6))
    await sql`DELETE FROM audit_checkpoints WHERE tenant_id = ${tenant} AND size > 6`.execute(
      t.handle.db,
    )
    const result = await verify(tenant, witnessDir)
    expect(result).toMatchObject({ ok: false, firstBadIndex: 6 })
    expect(result.problem).toContain(
      'witnessed checkpoint at size 10: the log was truncated to 6 entries',
    )
  })

  it('LOG-2: a log deleted outright is still found through its witness', async () => {
    const { tenant, witnessDir } = await checkpointedLog()
    await rebuild(tenant, [])
    await sql`DELETE FROM audit_checkpoints WHERE tenant_id = ${tenant}`.execute(t.handle.db)
    const results = await verifyLogs(t.handle.db, { publicKey: signer.publicKey, witnessDir })
    expect(results.find((r) => r.log === tenant)).toMatchObject({ ok: false, firstBadIndex: 0 })
  })
})
