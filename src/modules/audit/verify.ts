// LOG-2: full verification of stored logs: every tree re-derived from its events, every stored
// and witnessed checkpoint's signature checked, and every checkpoint's root compared with the
// tree it claims, so rewriting, deleting, reordering or truncating is found and located.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { loadStoredLog } from './audit.repository.ts'
import { type Checkpoint, logName, verifyCheckpoint } from './checkpoint.ts'
import { PLATFORM_LOG } from './events.ts'
import { checkStoredLog, rootsAtSizes } from './log-check.ts'

export interface LogVerification {
  log: string
  ok: boolean
  size: number
  checkpoints: number
  witnessed: number
  problem?: string
  /** The first entry that cannot be trusted. */
  firstBadIndex?: number
}

function readWitness(dir: string | undefined, log: string): Checkpoint[] {
  if (!dir) return []
  const file = join(dir, `${log}.jsonl`)
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Checkpoint)
}

export async function verifyLog(
  db: Kysely<Database>,
  tenantId: string,
  options: { publicKey: string | undefined; witnessDir: string | undefined },
): Promise<LogVerification> {
  const log = logName(tenantId)
  const stored = await loadStoredLog(db, tenantId)
  const checked = checkStoredLog(stored)
  const stamps = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('size')
    .execute()
  const fromDb: Checkpoint[] = stamps.map((c) => ({
    log,
    size: Number(c.size),
    root: Buffer.from(c.root).toString('hex'),
    time: c.signed_at.toISOString(),
    keyId: c.key_id,
    signature: Buffer.from(c.signature).toString('base64'),
  }))
  const witnessed = readWitness(options.witnessDir, log)
  const base = { log, checkpoints: fromDb.length, witnessed: witnessed.length }
  if (!checked.ok) {
    return {
      ...base,
      ok: false,
      size: stored.entries.length,
      problem: checked.problem,
      firstBadIndex: checked.firstBadIndex,
    }
  }
  const all = [
    ...fromDb.map((c) => ({ c, where: 'stored' })),
    ...witnessed.map((c) => ({ c, where: 'witnessed' })),
  ]
  all.sort((a, b) => a.c.size - b.c.size)
  const roots = rootsAtSizes(
    checked.leaves,
    all.map(({ c }) => c.size),
  )
  let trustedUpTo = 0
  for (const { c, where } of all) {
    const fail = (problem: string, firstBadIndex: number) => ({
      ...base,
      ok: false,
      size: checked.size,
      problem: `${where} checkpoint at size ${c.size}: ${problem}`,
      firstBadIndex,
    })
    if (!options.publicKey) return fail('no signing key to check it with', trustedUpTo)
    if (c.log !== log || !verifyCheckpoint(c, options.publicKey)) {
      return fail('signature does not verify (forged or altered)', trustedUpTo)
    }
    if (c.size > checked.size) {
      return fail(`the log was truncated to ${checked.size} entries`, checked.size)
    }
    if (roots.get(c.size)?.toString('hex') !== c.root) {
      return fail('the log no longer matches it (entries rewritten)', trustedUpTo)
    }
    trustedUpTo = c.size
  }
  return { ...base, ok: true, size: checked.size }
}

/** Every log in the database, or those of the given tenants. */
export async function verifyLogs(
  db: Kysely<Database>,
  options: { tenantIds?: string[]; publicKey: string | undefined; witnessDir: string | undefined },
): Promise<LogVerification[]> {
  let ids = options.tenantIds
  if (!ids) {
    const stored = await db.selectFrom('audit_heads').select('tenant_id').execute()
    // A log deleted outright is still found through its witnessed checkpoints.
    const witnessed =
      options.witnessDir && existsSync(options.witnessDir)
        ? readdirSync(options.witnessDir)
            .filter((f) => f.endsWith('.jsonl'))
            .map((f) => f.slice(0, -'.jsonl'.length))
            .map((log) => (log === 'platform' ? PLATFORM_LOG : log))
        : []
    ids = [...new Set([...stored.map((r) => r.tenant_id), ...witnessed])].sort()
  }
  const results: LogVerification[] = []
  for (const id of ids) results.push(await verifyLog(db, id, options))
  return results
}
