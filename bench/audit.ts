// Audit log benchmark (LOG-1, LOG-2): what the tamper-evident log costs, each figure next to a
// baseline measured in the same run.
//
// 1. Appends. Each event is its own transaction exactly as the app writes it:
//    withTenant(handle, tenant, trx => recordEvent(trx, tenant, event)), which queues the event,
//    with the checkpointer sequencing queued events into their trees and signing checkpoints
//    every 500 ms meanwhile; an audit run ends only when the queue is empty again, so its time
//    includes all the hashing and tree work. The baseline runs the same transaction shape
//    (BEGIN, set_config role + tenant, one statement, COMMIT) with a plain INSERT into a table
//    with the same columns, keys, index, row-level security and grants as audit_entries, so only
//    the hashing and tree maintenance differ. On PostgreSQL (fresh database, pool of
//    BENCH_AUDIT_POOL_PG connections) and on PGlite (one connection: its driver queues
//    transactions), in two shapes: spread over BENCH_AUDIT_TENANTS logs, and all into one log
//    (which, before the queue, made every append wait for one row lock), and into one log with
//    BENCH_AUDIT_BATCH (10) events per transaction. Baseline and audit run
//    back to back per shape, the baseline first, after a warm-up of both. Afterwards every log
//    written is re-derived with checkStoredLog, its size compared with what was appended, and
//    its latest checkpoint's signature and root checked.
// 2. Full re-verification. The pure hashing of BENCH_AUDIT_HASH_EVENTS canonical events
//    (leafHash per event, rootOf the leaves); baseline: one plain SHA-256 per event text. And
//    checkStoredLog on the largest stored log (PostgreSQL, one tenant) and on a bigger stored
//    log (entries, nodes, head) built in memory. Node runs all of this on one thread, so the
//    figures are per core.
// 3. Inclusion proofs. verifyInclusion over BENCH_AUDIT_PROOFS random proofs from a tree of
//    BENCH_AUDIT_PROOF_LEAVES (2^20) leaves and from one of 1,000,000; baseline: one SHA-256 of
//    64 bytes, timed the same way. Extra: proof generation through the database (proveFromDatabase
//    on the PostgreSQL single-tenant log), one transaction per proof as the API does.
//
// Settings (environment): BENCH_AUDIT_EVENTS_PG (20000) and BENCH_AUDIT_EVENTS_PGLITE (5000)
// events per measured run, BENCH_AUDIT_WORKERS_PG (32), BENCH_AUDIT_POOL_PG (20),
// BENCH_AUDIT_WORKERS_PGLITE (8), BENCH_AUDIT_TENANTS (16), BENCH_AUDIT_HASH_EVENTS (1000000),
// BENCH_AUDIT_STORED_LOG (200000) entries of the stored log built in memory,
// BENCH_AUDIT_PROOF_LEAVES (1048576), BENCH_AUDIT_PROOFS (100000; a fifth as many in the tree of
// 1,000,000), BENCH_AUDIT_DB_PROOFS (300),
// BENCH_QUIET_WAIT seconds to wait for an idle machine before each shape (10; 0 skips),
// RAMPART_BENCH_DATABASE_URL admin URL (postgres://postgres@127.0.0.1:5432/test).
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import { type Kysely, sql } from 'kysely'
import { type DatabaseHandle, openDatabase } from '../src/db/connection.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { enableTenantIsolation } from '../src/db/rls.ts'
import { withTenant } from '../src/db/tenant.ts'
import { latestCheckpoint, loadStoredLog } from '../src/modules/audit/audit.repository.ts'
import { recordEvent } from '../src/modules/audit/audit.service.ts'
import { proveFromDatabase } from '../src/modules/audit/audit-read.service.ts'
import {
  type CheckpointSigner,
  logName,
  signerFromPrivateKey,
  verifyCheckpoint,
} from '../src/modules/audit/checkpoint.ts'
import {
  checkpointPending,
  directoryWitness,
  startCheckpointer,
  type Witness,
} from '../src/modules/audit/checkpointer.ts'
import { type AuditEvent, serializeEvent } from '../src/modules/audit/events.ts'
import { checkStoredLog, type StoredLog } from '../src/modules/audit/log-check.ts'
import {
  completeLevels,
  frontierFromLevels,
  type Hash,
  inclusionProof,
  leafHash,
  levelsReader,
  rootOf,
  rootOfFrontier,
  verifyInclusion,
} from '../src/modules/audit/merkle.ts'
import {
  cpuUsedBetween,
  machineBusyMs,
  processesCpuMs,
  waitForQuietMachine,
} from './support/cpu.ts'
import { fixed, mean, numberFromEnv, progressOf, table } from './support/figures.ts'
import { APP_ROLE, type BenchDatabase, createBenchDatabase } from './support/postgres.ts'

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url))
/** Appends per second PostgreSQL is expected to sustain. */
const APPEND_TARGET = 5_000
/** Leaves per second one core is expected to re-verify. */
const REVERIFY_TARGET = 400_000
/** Mean time one inclusion proof is expected to take to verify, in microseconds. */
const VERIFY_TARGET_US = 100
const CHECKPOINT_INTERVAL_MS = 500
/**
 * Events per transaction in the `batched` shape: an action that records several events (a data
 * import, a bulk change). It shows what the log sustains once the transaction rate of this
 * machine is not what limits it.
 */
const BATCH_EVENTS = numberFromEnv('BENCH_AUDIT_BATCH', 10, 2)
const QUIET_IDLE_SHARE = 0.85
const OTHER_LOAD_WARNING = 0.1
/** The baseline table: audit_entries' columns, keys, index, RLS and grants, nothing else. */
const PLAIN_TABLE = 'bench_audit_plain'
/** What the baseline stores in leaf_hash: 32 bytes like a hash, but nothing is hashed. */
const PLAIN_LEAF_HASH = Buffer.alloc(32, 0xab)
const MILLION = 1_000_000

type DatabaseKind = 'postgres' | 'pglite'
type Shape = 'spread' | 'single' | 'batched'
type Target = 'baseline' | 'audit'
const TARGETS: readonly Target[] = ['baseline', 'audit']

interface Settings {
  eventsPostgres: number
  eventsPglite: number
  workersPostgres: number
  poolPostgres: number
  workersPglite: number
  tenants: number
  hashEvents: number
  storedLogEntries: number
  proofLeaves: number
  proofs: number
  dbProofs: number
  quietWaitSeconds: number
}

function settingsFromEnv(): Settings {
  return {
    eventsPostgres: numberFromEnv('BENCH_AUDIT_EVENTS_PG', 20_000, 1),
    eventsPglite: numberFromEnv('BENCH_AUDIT_EVENTS_PGLITE', 5_000, 1),
    workersPostgres: numberFromEnv('BENCH_AUDIT_WORKERS_PG', 32, 1),
    poolPostgres: numberFromEnv('BENCH_AUDIT_POOL_PG', 20, 1),
    workersPglite: numberFromEnv('BENCH_AUDIT_WORKERS_PGLITE', 8, 1),
    tenants: numberFromEnv('BENCH_AUDIT_TENANTS', 16, 2),
    hashEvents: numberFromEnv('BENCH_AUDIT_HASH_EVENTS', MILLION, 2),
    storedLogEntries: numberFromEnv('BENCH_AUDIT_STORED_LOG', 200_000, 2),
    proofLeaves: numberFromEnv('BENCH_AUDIT_PROOF_LEAVES', 2 ** 20, 2),
    proofs: numberFromEnv('BENCH_AUDIT_PROOFS', 100_000, 1),
    dbProofs: numberFromEnv('BENCH_AUDIT_DB_PROOFS', 300, 0),
    quietWaitSeconds: numberFromEnv('BENCH_QUIET_WAIT', 10, 0),
  }
}

// ---------------------------------------------------------------------------------------------
// Figures and formatting

function percentile(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort()
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

function median(values: number[]): number {
  return percentile(values, 50)
}

function count(value: number): string {
  return Math.round(value).toLocaleString('en-US')
}

function share(value: number | null): string {
  return value === null ? '-' : `${(value * 100).toFixed(0)}%`
}

const progress = progressOf('audit')

function metOrNot(met: boolean): string {
  return met ? 'met' : 'NOT met'
}

/** Milliseconds a synchronous piece of work takes, with its result. */
function timed<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now()
  const value = fn()
  return { ms: performance.now() - start, value }
}

// ---------------------------------------------------------------------------------------------
// Part 1: appends

function sessionEvent(): AuditEvent {
  return {
    category: 'iam',
    action: 'session.create',
    outcome: 'success',
    actor: { type: 'user', id: randomUUID() },
    source: { ip: '203.0.113.7' },
    requestId: 'req-123',
  }
}

/** `events` appends in one transaction; resolves with the time its statements took (ms). */
type Appender = (tenantId: string, events: number) => Promise<number>

/** The app's own append: recordEvent inside withTenant. */
function auditAppender(handle: DatabaseHandle): Appender {
  return (tenantId, events) =>
    withTenant(handle, tenantId, async (trx) => {
      const start = performance.now()
      for (let e = 0; e < events; e++) await recordEvent(trx, tenantId, sessionEvent())
      return performance.now() - start
    })
}

/** Same transaction, same serialisation, a plain INSERT: no hashing, no tree, no head row. */
function plainAppender(handle: DatabaseHandle): Appender {
  const sizes = new Map<string, number>()
  return (tenantId, events) =>
    withTenant(handle, tenantId, async (trx) => {
      const start = performance.now()
      for (let e = 0; e < events; e++) {
        const idx = sizes.get(tenantId) ?? 0
        sizes.set(tenantId, idx + 1)
        await sql`
          INSERT INTO ${sql.id(PLAIN_TABLE)} (tenant_id, idx, leaf_hash, event)
          VALUES (${tenantId}::uuid, ${idx}, ${PLAIN_LEAF_HASH}, ${serializeEvent(sessionEvent())})
          RETURNING idx`.execute(trx)
      }
      return performance.now() - start
    })
}

/** The baseline table, created on the owner connection exactly as the audit migration would. */
async function createPlainTable(handle: DatabaseHandle): Promise<void> {
  const owner = handle.db as unknown as Kysely<unknown>
  const table = sql.id(PLAIN_TABLE)
  await sql`
    CREATE TABLE ${table} (
      tenant_id uuid NOT NULL,
      idx bigint NOT NULL,
      leaf_hash bytea NOT NULL,
      event text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, idx)
    )`.execute(owner)
  await sql`CREATE INDEX bench_audit_plain_time_idx ON ${table} (tenant_id, created_at)`.execute(
    owner,
  )
  await enableTenantIsolation(owner, handle.appRole, PLAIN_TABLE)
  await sql`GRANT INSERT, SELECT ON ${table} TO ${sql.id(handle.appRole)}`.execute(owner)
}

interface Driven {
  seconds: number
  latenciesMs: Float64Array
  statementMs: Float64Array
}

/**
 * `count` appends by `workers` concurrent loops, `perTransaction` to a transaction, transaction
 * i going to tenantOf(i). Latencies are per transaction.
 */
async function drive(
  appendTo: Appender,
  count: number,
  workers: number,
  tenantOf: (i: number) => string,
  perTransaction = 1,
): Promise<Driven> {
  const transactions = Math.ceil(count / perTransaction)
  const latenciesMs = new Float64Array(transactions)
  const statementMs = new Float64Array(transactions)
  let next = 0
  let failed = false
  const worker = async (): Promise<void> => {
    while (!failed && next < transactions) {
      const i = next++
      const events = Math.min(perTransaction, count - i * perTransaction)
      const start = performance.now()
      try {
        statementMs[i] = await appendTo(tenantOf(i), events)
      } catch (err) {
        failed = true
        throw err
      }
      latenciesMs[i] = performance.now() - start
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: workers }, worker))
  return { seconds: (performance.now() - start) / 1000, latenciesMs, statementMs }
}

interface CpuReading {
  atMs: number
  selfMs: number
  backendsMs: Map<number, number>
  machineBusyMs: number | null
}

function readCpu(backendPids: readonly number[]): CpuReading {
  const usage = process.cpuUsage()
  return {
    atMs: performance.now(),
    selfMs: (usage.user + usage.system) / 1000,
    backendsMs: processesCpuMs(backendPids),
    machineBusyMs: machineBusyMs(),
  }
}

/** Share of the machine's CPU used between two readings by anything but this benchmark. */
function otherLoadBetween(before: CpuReading, after: CpuReading): number | null {
  if (after.machineBusyMs === null || before.machineBusyMs === null) return null
  const busy = after.machineBusyMs - before.machineBusyMs
  const ours = after.selfMs - before.selfMs + cpuUsedBetween(before.backendsMs, after.backendsMs)
  const capacity = (after.atMs - before.atMs) * cpus().length
  return capacity <= 0 ? null : Math.max(0, busy - ours) / capacity
}

/** Runs `fn` and says how busy the rest of the machine was meanwhile. */
async function underLoad<T>(
  fn: () => Promise<T> | T,
): Promise<{ value: T; otherLoad: number | null }> {
  const before = readCpu([])
  const value = await fn()
  return { value, otherLoad: otherLoadBetween(before, readCpu([])) }
}

interface AppendRun {
  database: DatabaseKind
  shape: Shape
  target: Target
  events: number
  workers: number
  logs: number
  seconds: number
  eventsPerSecond: number
  latencyMeanMs: number
  latencyP50Ms: number
  latencyP99Ms: number
  /** Mean time of the one statement inside the transaction (includes waiting for the lock). */
  statementMeanMs: number
  /** This process's CPU time (user + system) per event: Node, and PGlite itself on PGlite. */
  nodeCpuUsPerEvent: number
  /** The PostgreSQL backends' CPU time per event; null on PGlite or off Linux. */
  postgresCpuUsPerEvent: number | null
  idleBefore: number | null
  /** Share of the machine's CPU used during the run by anything but this benchmark. */
  otherLoad: number | null
  /** After the last append, until the sequencer had every event in its tree (audit only). */
  drainMs: number
}

function appendRun(
  base: Pick<AppendRun, 'database' | 'shape' | 'target' | 'events' | 'workers' | 'logs'>,
  driven: Driven,
  before: CpuReading,
  after: CpuReading,
  postgres: boolean,
  idleBefore: number | null,
  drainMs: number,
): AppendRun {
  const selfMs = after.selfMs - before.selfMs
  const backendsMs = cpuUsedBetween(before.backendsMs, after.backendsMs)
  return {
    ...base,
    seconds: driven.seconds,
    eventsPerSecond: base.events / driven.seconds,
    latencyMeanMs: mean(driven.latenciesMs),
    latencyP50Ms: percentile(driven.latenciesMs, 50),
    latencyP99Ms: percentile(driven.latenciesMs, 99),
    statementMeanMs: mean(driven.statementMs),
    nodeCpuUsPerEvent: (selfMs * 1000) / base.events,
    postgresCpuUsPerEvent:
      postgres && after.backendsMs.size > 0 ? (backendsMs * 1000) / base.events : null,
    idleBefore,
    otherLoad: otherLoadBetween(before, after),
    drainMs,
  }
}

/** Waits until every queued audit event is sequenced; the milliseconds that took. */
async function waitForEmptyQueue(handle: DatabaseHandle): Promise<number> {
  const start = performance.now()
  for (;;) {
    if ((await ownerCount(handle, 'audit_queue')) === 0) return performance.now() - start
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

interface LogCheckSummary {
  logs: number
  entries: number
  allOk: boolean
  problems: string[]
  /** Checkpoints the running checkpointer had signed when the appends were over. */
  checkpointsWhileRunning: number
  logsWithCheckpointWhileRunning: number
  /** After one last checkpointPending: every log's latest checkpoint covers all its entries. */
  latestCheckpointsVerified: number
  witnessedLines: number
  checkpointsTotal: number
  checkpointerErrors: number
  /** The baseline table holds every row written to it. */
  plainRows: number
  plainRowsExpected: number
}

interface AppendPhase {
  database: DatabaseKind
  runs: AppendRun[]
  check: LogCheckSummary
  /** The tenant whose log got the single-log audit run (its size is exactly the events). */
  singleTenant: string
  singleTenantSize: number
}

function witnessedLines(dir: string): number {
  let lines = 0
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    lines += readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '').length
  }
  return lines
}

async function ownerCount(handle: DatabaseHandle, table: string): Promise<number> {
  const { rows } = await sql<{ n: string | number }>`
    SELECT count(*) AS n FROM ${sql.id(table)}`.execute(handle.db)
  return Number(rows[0]?.n)
}

/** Re-derives every audit log written and checks its size and latest checkpoint. */
async function checkLogs(
  handle: DatabaseHandle,
  expected: Map<string, number>,
  signer: CheckpointSigner,
  witness: Witness,
  witnessDir: string,
): Promise<Omit<LogCheckSummary, 'checkpointsWhileRunning' | 'logsWithCheckpointWhileRunning'>> {
  await checkpointPending(handle, signer, witness)
  const problems: string[] = []
  let entries = 0
  let verified = 0
  for (const [tenantId, size] of expected) {
    const { stored, latest } = await withTenant(handle, tenantId, async (trx) => ({
      stored: await loadStoredLog(trx, tenantId),
      latest: await latestCheckpoint(trx, tenantId),
    }))
    const checked = checkStoredLog(stored)
    if (!checked.ok) {
      problems.push(`${tenantId}: ${checked.problem}`)
      continue
    }
    entries += checked.size
    if (checked.size !== size) {
      problems.push(`${tenantId}: ${checked.size} entries, ${size} appended`)
      continue
    }
    if (!latest) {
      problems.push(`${tenantId}: no checkpoint`)
      continue
    }
    const checkpoint = {
      log: logName(tenantId),
      size: Number(latest.size),
      root: Buffer.from(latest.root).toString('hex'),
      time: latest.signed_at.toISOString(),
      keyId: latest.key_id,
      signature: Buffer.from(latest.signature).toString('base64'),
    }
    if (checkpoint.size !== size || checkpoint.root !== checked.root.toString('hex')) {
      problems.push(`${tenantId}: latest checkpoint does not cover the log`)
    } else if (!verifyCheckpoint(checkpoint, signer.publicKey)) {
      problems.push(`${tenantId}: latest checkpoint's signature does not verify`)
    } else {
      verified++
    }
  }
  const checkpointsTotal = await ownerCount(handle, 'audit_checkpoints')
  const lines = witnessedLines(witnessDir)
  if (lines !== checkpointsTotal) {
    problems.push(`${lines} witnessed checkpoints, ${checkpointsTotal} stored`)
  }
  return {
    logs: expected.size,
    entries,
    allOk: problems.length === 0,
    problems,
    latestCheckpointsVerified: verified,
    witnessedLines: lines,
    checkpointsTotal,
    checkpointerErrors: 0,
    plainRows: 0,
    plainRowsExpected: 0,
  }
}

interface PhaseOptions {
  database: DatabaseKind
  handle: DatabaseHandle
  events: number
  workers: number
  tenants: number
  quietWaitSeconds: number
  /** The PostgreSQL backends serving this handle (empty on PGlite). */
  backendPids: () => Promise<number[]>
}

/** Warm-up, then baseline and audit for each shape, checkpointer running; then the checks. */
async function appendPhase(o: PhaseOptions): Promise<AppendPhase> {
  const label = o.database === 'postgres' ? 'PostgreSQL' : 'PGlite'
  await createPlainTable(o.handle)
  const appenders: Record<Target, Appender> = {
    baseline: plainAppender(o.handle),
    audit: auditAppender(o.handle),
  }
  const expected = new Map<string, number>()
  let plainRowsExpected = 0
  const note = (target: Target, tenantOf: (i: number) => string, n: number): void => {
    if (target === 'baseline') {
      plainRowsExpected += n
      return
    }
    for (let i = 0; i < n; i++) {
      const tenant = tenantOf(i)
      expected.set(tenant, (expected.get(tenant) ?? 0) + 1)
    }
  }

  const { privateKey } = generateKeyPairSync('ed25519')
  const signer = signerFromPrivateKey(privateKey)
  const witnessDir = mkdtempSync(join(tmpdir(), 'rampart-bench-witness-'))
  const witness = directoryWitness(witnessDir)
  const checkpointerErrors: string[] = []
  const logger = {
    error: (obj: object, message: string) => {
      checkpointerErrors.push(`${message}: ${JSON.stringify(obj)}`)
    },
  }
  const checkpointer = startCheckpointer(o.handle, signer, witness, CHECKPOINT_INTERVAL_MS, logger)
  const runs: AppendRun[] = []
  let singleTenant = ''
  try {
    // Warm-up: every pooled connection opened, plans and caches warm, for both targets.
    const warmup = Math.max(100, Math.round(o.events / 20))
    const warmTenants = Array.from({ length: o.tenants }, () => randomUUID())
    const warmOf = (i: number) => warmTenants[i % warmTenants.length] as string
    progress(`${label}: warm-up, ${warmup} appends per target`)
    for (const target of TARGETS) {
      await drive(appenders[target], warmup, o.workers, warmOf)
      note(target, warmOf, warmup)
    }
    const pids = await o.backendPids()

    const shapes: { shape: Shape; logs: number; perTransaction: number }[] = [
      { shape: 'spread', logs: o.tenants, perTransaction: 1 },
      { shape: 'single', logs: 1, perTransaction: 1 },
      { shape: 'batched', logs: 1, perTransaction: BATCH_EVENTS },
    ]
    for (const { shape, logs, perTransaction } of shapes) {
      const idleBefore =
        o.quietWaitSeconds > 0
          ? await waitForQuietMachine(QUIET_IDLE_SHARE, o.quietWaitSeconds * 1000)
          : null
      for (const target of TARGETS) {
        const tenants = Array.from({ length: logs }, () => randomUUID())
        if (shape === 'single' && target === 'audit') singleTenant = tenants[0] as string
        const tenantOf = (i: number) => tenants[i % tenants.length] as string
        progress(
          `${label}: ${target}, ${o.events} appends into ${logs} log(s), ` +
            `${o.workers} workers` +
            (idleBefore !== null && idleBefore < QUIET_IDLE_SHARE
              ? ` (machine busy: ${share(idleBefore)} idle)`
              : ''),
        )
        const before = readCpu(pids)
        const driven = await drive(appenders[target], o.events, o.workers, tenantOf, perTransaction)
        // Appends only queue their events: the run ends when the sequencer (on the
        // checkpointer's tick) has put every one of them into its log's tree.
        const drainMs = target === 'audit' ? await waitForEmptyQueue(o.handle) : 0
        driven.seconds += drainMs / 1000
        const after = readCpu(pids)
        note(target, tenantOf, o.events)
        runs.push(
          appendRun(
            {
              database: o.database,
              shape,
              target,
              events: o.events,
              workers: o.workers,
              logs,
            },
            driven,
            before,
            after,
            o.database === 'postgres',
            idleBefore,
            drainMs,
          ),
        )
      }
    }
  } finally {
    await checkpointer.stop()
  }

  progress(`${label}: checking every log written`)
  const checkpointsWhileRunning = await ownerCount(o.handle, 'audit_checkpoints')
  const { rows: covered } = await sql<{ n: string | number }>`
    SELECT count(DISTINCT tenant_id) AS n FROM audit_checkpoints`.execute(o.handle.db)
  const checked = await checkLogs(o.handle, expected, signer, witness, witnessDir)
  const plainRows = await ownerCount(o.handle, PLAIN_TABLE)
  rmSync(witnessDir, { recursive: true, force: true })
  const problems = [...checked.problems]
  if (plainRows !== plainRowsExpected) {
    problems.push(`baseline table holds ${plainRows} rows, ${plainRowsExpected} written`)
  }
  // Within a second of new entries the checkpointer signs: runs longer than two intervals must
  // have seen it at work (shorter ones may end before its first tick).
  const auditSeconds = runs.filter((r) => r.target === 'audit').reduce((s, r) => s + r.seconds, 0)
  if (checkpointsWhileRunning === 0 && auditSeconds * 1000 > 2 * CHECKPOINT_INTERVAL_MS) {
    problems.push('the checkpointer signed nothing while the appends ran')
  }
  if (checkpointerErrors.length > 0) problems.push(`checkpointer: ${checkpointerErrors[0]}`)
  return {
    database: o.database,
    runs,
    singleTenant,
    singleTenantSize: expected.get(singleTenant) ?? 0,
    check: {
      ...checked,
      allOk: problems.length === 0,
      problems,
      checkpointsWhileRunning,
      logsWithCheckpointWhileRunning: Number(covered[0]?.n),
      checkpointerErrors: checkpointerErrors.length,
      plainRows,
      plainRowsExpected,
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Part 2 (stored log) and the database proofs: on the PostgreSQL single-tenant log

interface StoredLogCheck {
  source: string
  leaves: number
  /** Reading the log's rows from the database (null for a log built in memory). */
  loadMs: number | null
  /** checkStoredLog: every leaf and stored node rehashed, the head's frontier and the root. */
  checkMs: number
  leavesPerSecond: number
}

function timeCheck(stored: StoredLog, repeat: number): number {
  const times: number[] = []
  for (let r = 0; r < repeat; r++) {
    const { ms, value } = timed(() => checkStoredLog(stored))
    if (!value.ok) throw new Error(`checkStoredLog failed: ${value.problem}`)
    times.push(ms)
  }
  return median(times)
}

async function checkStoredLogFromDatabase(
  handle: DatabaseHandle,
  tenantId: string,
  label: string,
): Promise<StoredLogCheck> {
  const loads: number[] = []
  let stored: StoredLog | undefined
  for (let r = 0; r < 3; r++) {
    const start = performance.now()
    stored = await withTenant(handle, tenantId, (trx) => loadStoredLog(trx, tenantId))
    loads.push(performance.now() - start)
  }
  if (!stored) throw new Error('no log loaded')
  const checkMs = timeCheck(stored, 5)
  return {
    source: label,
    leaves: stored.entries.length,
    loadMs: median(loads),
    checkMs,
    leavesPerSecond: (stored.entries.length / checkMs) * 1000,
  }
}

interface DatabaseProofs {
  proofs: number
  treeSize: number
  meanMs: number
  p50Ms: number
  p99Ms: number
  queriesPerProof: number
  allVerified: boolean
}

/** Inclusion proofs as the API makes them: one withTenant transaction, proveFromDatabase. */
async function databaseProofs(
  handle: DatabaseHandle,
  tenantId: string,
  proofs: number,
): Promise<DatabaseProofs> {
  const { stored, latest } = await withTenant(handle, tenantId, async (trx) => ({
    stored: await loadStoredLog(trx, tenantId),
    latest: await latestCheckpoint(trx, tenantId),
  }))
  const checked = checkStoredLog(stored)
  if (!checked.ok || !latest) throw new Error('the single-tenant log does not check out')
  const size = Number(latest.size)
  const root = Buffer.from(latest.root)
  const times: number[] = []
  let queries = 0
  let allVerified = true
  for (let p = 0; p < proofs; p++) {
    const index = Math.floor(Math.random() * size)
    const start = performance.now()
    // As the API does it: the needed subtrees worked out, then fetched in two queries.
    const proof = await withTenant(handle, tenantId, (trx) =>
      proveFromDatabase(trx, tenantId, (read) => inclusionProof(read, index, size)),
    )
    queries += 2
    times.push(performance.now() - start)
    const leaf = checked.leaves[index] as Hash
    if (!verifyInclusion(leaf, index, size, proof, root)) allVerified = false
  }
  return {
    proofs,
    treeSize: size,
    meanMs: mean(times),
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    queriesPerProof: queries / Math.max(proofs, 1),
    allVerified,
  }
}

// ---------------------------------------------------------------------------------------------
// Parts 2 and 3 in memory

/** Canonical event texts as the app stores them, one a millisecond apart. */
function canonicalEvents(n: number): string[] {
  const base = Date.parse('2026-11-23T00:00:00.000Z')
  const events: string[] = new Array(n)
  for (let i = 0; i < n; i++) events[i] = serializeEvent(sessionEvent(), new Date(base + i))
  return events
}

/** The rows a database would hold for the first `size` events, from precomputed levels. */
function storedLogOf(
  events: readonly string[],
  levels: readonly (readonly Hash[])[],
  size: number,
): StoredLog {
  const leaves = levels[0] as readonly Hash[]
  const entries: StoredLog['entries'] = new Array(size)
  for (let i = 0; i < size; i++) {
    entries[i] = { idx: i, leafHash: leaves[i] as Hash, event: events[i] as string }
  }
  const nodes: StoredLog['nodes'] = []
  for (let level = 1; level < levels.length; level++) {
    const complete = Math.floor(size / 2 ** level)
    for (let idx = 0; idx < complete; idx++) {
      nodes.push({ level, idx, hash: levels[level]?.[idx] as Hash })
    }
  }
  return { entries, nodes, head: { size, frontier: frontierFromLevels(levels, size) } }
}

interface Rehash {
  events: number
  /** leafHash of every event text. */
  leafMs: number
  /** rootOf the leaves. */
  treeMs: number
  leavesPerSecond: number
  /** Baseline: one createHash('sha256') per event text, nothing else. */
  baselineMs: number
  baselinePerSecond: number
  /** Tree re-derivation time over baseline time. */
  timeRatio: number
  root: Hash
  leaves: Hash[]
}

/** Alternates baseline and tree re-hashing `rounds` times; medians. */
function rehash(events: readonly string[], rounds: number): Rehash {
  const leafTimes: number[] = []
  const treeTimes: number[] = []
  const baselineTimes: number[] = []
  let leaves: Hash[] = []
  let root: Hash | undefined
  for (let r = 0; r < rounds; r++) {
    const baseline = timed(() => {
      let last: Buffer | undefined
      for (const e of events) last = createHash('sha256').update(e).digest()
      return last
    })
    baselineTimes.push(baseline.ms)
    const hashed = timed(() => events.map((e) => leafHash(e)))
    const tree = timed(() => rootOf(hashed.value))
    leafTimes.push(hashed.ms)
    treeTimes.push(tree.ms)
    leaves = hashed.value
    if (root && !root.equals(tree.value)) throw new Error('rootOf is not deterministic')
    root = tree.value
  }
  const leafMs = median(leafTimes)
  const treeMs = median(treeTimes)
  const baselineMs = median(baselineTimes)
  return {
    events: events.length,
    leafMs,
    treeMs,
    leavesPerSecond: (events.length / (leafMs + treeMs)) * 1000,
    baselineMs,
    baselinePerSecond: (events.length / baselineMs) * 1000,
    timeRatio: (leafMs + treeMs) / baselineMs,
    root: root as Hash,
    leaves,
  }
}

interface ProofVerification {
  treeSize: number
  proofs: number
  meanUs: number
  p50Us: number
  p99Us: number
  /** Wall time of the whole timed loop over the number of proofs. */
  wallMeanUs: number
  hashesMin: number
  hashesMax: number
  hashesMean: number
  bytesMax: number
  generationUsPerProof: number
  allVerified: boolean
}

async function verifyProofs(
  levels: readonly (readonly Hash[])[],
  size: number,
  proofs: number,
): Promise<ProofVerification> {
  const leaves = levels[0] as readonly Hash[]
  const root = rootOfFrontier(frontierFromLevels(levels, size))
  const read = levelsReader(levels)
  const indexes = new Array<number>(proofs)
  const paths = new Array<Hash[]>(proofs)
  const generationStart = performance.now()
  for (let p = 0; p < proofs; p++) {
    const index = Math.floor(Math.random() * size)
    indexes[p] = index
    paths[p] = await inclusionProof(read, index, size)
  }
  const generationMs = performance.now() - generationStart
  // A short untimed pass warms the function up; then every proof is verified, timed one by one.
  let allVerified = true
  for (let p = 0; p < Math.min(proofs, 1_000); p++) {
    const index = indexes[p] as number
    verifyInclusion(leaves[index] as Hash, index, size, paths[p] as Hash[], root)
  }
  const times = new Float64Array(proofs)
  const wallStart = performance.now()
  for (let p = 0; p < proofs; p++) {
    const index = indexes[p] as number
    const leaf = leaves[index] as Hash
    const path = paths[p] as Hash[]
    const start = performance.now()
    const ok = verifyInclusion(leaf, index, size, path, root)
    times[p] = performance.now() - start
    if (!ok) allVerified = false
  }
  const wallMs = performance.now() - wallStart
  const lengths = paths.map((p) => p.length)
  return {
    treeSize: size,
    proofs,
    meanUs: mean(times) * 1000,
    p50Us: percentile(times, 50) * 1000,
    p99Us: percentile(times, 99) * 1000,
    wallMeanUs: (wallMs / proofs) * 1000,
    hashesMin: Math.min(...lengths),
    hashesMax: Math.max(...lengths),
    hashesMean: mean(lengths),
    bytesMax: Math.max(...lengths) * 32,
    generationUsPerProof: (generationMs / proofs) * 1000,
    allVerified,
  }
}

interface Sha64 {
  calls: number
  meanUs: number
  p50Us: number
  p99Us: number
  wallMeanUs: number
}

/** The baseline: one SHA-256 of 64 bytes, timed call by call like the proofs. */
function sha64(leaves: readonly Hash[], calls: number): Sha64 {
  const inputs = Array.from({ length: 1024 }, (_, i) =>
    Buffer.concat([leaves[2 * i] as Hash, leaves[2 * i + 1] as Hash]),
  )
  for (let c = 0; c < Math.min(calls, 1_000); c++) {
    createHash('sha256')
      .update(inputs[c % 1024] as Buffer)
      .digest()
  }
  const times = new Float64Array(calls)
  const wallStart = performance.now()
  for (let c = 0; c < calls; c++) {
    const input = inputs[c % 1024] as Buffer
    const start = performance.now()
    createHash('sha256').update(input).digest()
    times[c] = performance.now() - start
  }
  const wallMs = performance.now() - wallStart
  return {
    calls,
    meanUs: mean(times) * 1000,
    p50Us: percentile(times, 50) * 1000,
    p99Us: percentile(times, 99) * 1000,
    wallMeanUs: (wallMs / calls) * 1000,
  }
}

// ---------------------------------------------------------------------------------------------

const SHAPE_LABEL: Record<Shape, (logs: number) => string> = {
  spread: (logs) => `${logs} logs`,
  single: () => '1 log',
  batched: () => `1 log, ${BATCH_EVENTS}/tx`,
}

function printAppends(phases: AppendPhase[]): void {
  const header = [
    'database',
    'shape',
    'target',
    'events',
    'workers',
    's',
    'events/s',
    'p50 ms',
    'p99 ms',
    'stmt ms',
    'node CPU µs/ev',
    'pg CPU µs/ev',
    'other load',
  ]
  const rows = phases.flatMap((phase) =>
    phase.runs.map((r) => [
      r.database,
      SHAPE_LABEL[r.shape](r.logs),
      r.target,
      String(r.events),
      String(r.workers),
      fixed(r.seconds, 2),
      count(r.eventsPerSecond),
      fixed(r.latencyP50Ms, 2),
      fixed(r.latencyP99Ms, 2),
      fixed(r.statementMeanMs, 2),
      fixed(r.nodeCpuUsPerEvent, 0),
      fixed(r.postgresCpuUsPerEvent, 0),
      share(r.otherLoad),
    ]),
  )
  console.log(table([header, ...rows], 3))
}

interface AppendRatio {
  database: DatabaseKind
  shape: Shape
  auditPerSecond: number
  baselinePerSecond: number
  ratio: number
  target: number | null
  targetMet: boolean | null
}

function appendRatios(phases: AppendPhase[]): AppendRatio[] {
  const ratios: AppendRatio[] = []
  for (const phase of phases) {
    for (const shape of ['spread', 'single', 'batched'] as const) {
      const of = (target: Target) =>
        phase.runs.find((r) => r.shape === shape && r.target === target)?.eventsPerSecond ??
        Number.NaN
      const audit = of('audit')
      const postgres = phase.database === 'postgres'
      ratios.push({
        database: phase.database,
        shape,
        auditPerSecond: audit,
        baselinePerSecond: of('baseline'),
        ratio: audit / of('baseline'),
        target: postgres ? APPEND_TARGET : null,
        targetMet: postgres ? audit >= APPEND_TARGET : null,
      })
    }
  }
  return ratios
}

export async function runAuditBenchmark(): Promise<void> {
  const settings = settingsFromEnv()
  const startedAt = new Date()
  const cleanups: { what: string; run: () => Promise<void> | void }[] = []
  const cpuList = cpus()
  const environment = {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
  }
  try {
    // --- PostgreSQL
    progress('creating and migrating a PostgreSQL database…')
    const database: BenchDatabase = await createBenchDatabase()
    cleanups.push({ what: `drop database ${database.name}`, run: () => database.drop() })
    const postgres = await openDatabase({
      databaseUrl: database.url,
      appRole: APP_ROLE,
      poolSize: settings.poolPostgres,
    })
    cleanups.push({ what: 'close the PostgreSQL pool', run: () => postgres.close() })
    const postgresPhase = await appendPhase({
      database: 'postgres',
      handle: postgres,
      events: settings.eventsPostgres,
      workers: settings.workersPostgres,
      tenants: settings.tenants,
      quietWaitSeconds: settings.quietWaitSeconds,
      backendPids: () => database.backendPids(),
    })
    progress('PostgreSQL: re-verifying the single-tenant log, proofs through the database')
    const storedPostgres = await checkStoredLogFromDatabase(
      postgres,
      postgresPhase.singleTenant,
      'PostgreSQL single-tenant log',
    )
    const dbProofs =
      settings.dbProofs > 0
        ? await databaseProofs(postgres, postgresPhase.singleTenant, settings.dbProofs)
        : null
    await postgres.close()
    cleanups.pop()
    await database.drop()
    cleanups.pop()

    // --- PGlite
    progress('creating and migrating a PGlite database…')
    const pglite = await openDatabase({ pglite: await PGlite.create(), appRole: APP_ROLE })
    cleanups.push({ what: 'close PGlite', run: () => pglite.close() })
    await migrateToLatest(pglite)
    const pglitePhase = await appendPhase({
      database: 'pglite',
      handle: pglite,
      events: settings.eventsPglite,
      workers: settings.workersPglite,
      tenants: settings.tenants,
      quietWaitSeconds: settings.quietWaitSeconds,
      backendPids: async () => [],
    })
    await pglite.close()
    cleanups.pop()
    const phases = [postgresPhase, pglitePhase]

    // --- In memory: re-hashing, a large stored log, proofs
    const total = Math.max(settings.hashEvents, settings.storedLogEntries, settings.proofLeaves)
    progress(`generating ${count(total)} canonical events in memory…`)
    const events = canonicalEvents(total)
    const hashEvents = events.slice(0, settings.hashEvents)
    progress(
      `re-hashing ${count(settings.hashEvents)} events, baseline and tree alternately, twice…`,
    )
    const rehashing = await underLoad(() => rehash(hashEvents, 2))
    const rehashed = rehashing.value
    const allLeaves = rehashed.leaves.concat(
      events.slice(settings.hashEvents).map((e) => leafHash(e)),
    )
    const levels = completeLevels(allLeaves)
    const storedSize = settings.storedLogEntries
    const inMemory = storedLogOf(events, levels, storedSize)
    progress(`checkStoredLog on a ${count(storedSize)}-entry stored log built in memory…`)
    const memoryChecking = await underLoad(() => timed(() => checkStoredLog(inMemory)))
    const memoryCheck = memoryChecking.value.value
    if (
      !memoryCheck.ok ||
      !memoryCheck.root.equals(rootOfFrontier(frontierFromLevels(levels, storedSize)))
    ) {
      throw new Error('the stored log built in memory does not re-derive to its root')
    }
    const storedMemory: StoredLogCheck = {
      source: 'stored log built in memory',
      leaves: storedSize,
      loadMs: null,
      checkMs: memoryChecking.value.ms,
      leavesPerSecond: (storedSize / memoryChecking.value.ms) * 1000,
    }
    if (settings.hashEvents <= allLeaves.length) {
      const rootAtHashEvents = rootOfFrontier(frontierFromLevels(levels, settings.hashEvents))
      if (!rootAtHashEvents.equals(rehashed.root)) throw new Error('rootOf and levels disagree')
    }

    const proofSizes = [
      { size: settings.proofLeaves, proofs: settings.proofs },
      { size: MILLION, proofs: Math.max(1, Math.round(settings.proofs / 5)) },
    ].filter((p, i) => p.size <= total && (i === 0 || p.size !== settings.proofLeaves))
    const verification: ProofVerification[] = []
    let proofLoad: number | null = 0
    for (const { size, proofs } of proofSizes) {
      progress(`${count(proofs)} inclusion proofs in a tree of ${count(size)}…`)
      const verified = await underLoad(() => verifyProofs(levels, size, proofs))
      verification.push(verified.value)
      proofLoad =
        proofLoad === null || verified.otherLoad === null
          ? null
          : Math.max(proofLoad, verified.otherLoad)
    }
    const sha = sha64(allLeaves, settings.proofs)
    const main = verification[0] as ProofVerification

    // --- Report
    const ratios = appendRatios(phases)
    const runs = phases.flatMap((p) => p.runs)
    console.log('')
    console.log(
      `Audit appends — one transaction per event (withTenant + recordEvent), or ${BATCH_EVENTS} per ` +
        `transaction in the batched shape; checkpointer sequencing and ` +
        `signing every ${CHECKPOINT_INTERVAL_MS} ms; baseline: same transaction, plain INSERT; ` +
        `PostgreSQL pool ${settings.poolPostgres}; Node ${environment.node}, ` +
        `${environment.cpus} CPU(s)`,
    )
    printAppends(phases)
    console.log('')
    for (const r of ratios) {
      console.log(
        `${r.database}, ${SHAPE_LABEL[r.shape](r.shape === 'spread' ? settings.tenants : 1)}: ` +
          `audit ${count(r.auditPerSecond)} events/s, baseline ${count(r.baselinePerSecond)} ` +
          `events/s, audit/baseline ${fixed(r.ratio, 3)}` +
          (r.target === null
            ? ' (no target on PGlite)'
            : ` (target >= ${count(r.target)} events/s: ${metOrNot(r.targetMet === true)})`),
      )
    }
    for (const r of runs.filter((x) => x.postgresCpuUsPerEvent !== null)) {
      const cpuUs = r.nodeCpuUsPerEvent + (r.postgresCpuUsPerEvent ?? 0)
      console.log(
        `  postgres ${SHAPE_LABEL[r.shape](r.logs)} ${r.target}: ${fixed(cpuUs, 0)} µs CPU per ` +
          `event (Node + PostgreSQL) → CPU ceiling ~${count((environment.cpus * 1e6) / cpuUs)} ` +
          `events/s on ${environment.cpus} CPU(s); reached ${fixed(((r.eventsPerSecond * cpuUs) / (environment.cpus * 1e6)) * 100, 0)}%`,
      )
    }
    for (const phase of phases) {
      const c = phase.check
      console.log(
        `${phase.database} check: ${c.logs} logs, ${count(c.entries)} entries re-derived ` +
          `with checkStoredLog, sizes as appended; ${c.checkpointsWhileRunning} checkpoints ` +
          `signed while appending (${c.logsWithCheckpointWhileRunning} logs), ` +
          `${c.latestCheckpointsVerified}/${c.logs} latest checkpoints cover their log and ` +
          `verify; ${c.witnessedLines} witnessed; baseline rows ${c.plainRows}/` +
          `${c.plainRowsExpected}: ${c.allOk ? 'OK' : `FAILED: ${c.problems.join('; ')}`}`,
      )
    }

    console.log('')
    console.log(
      'Full re-verification — one core (Node runs it on one thread; other load ' +
        `${share(rehashing.otherLoad)} re-hashing, ${share(memoryChecking.otherLoad)} checkStoredLog)`,
    )
    const reverifyRows = [
      ['what', 'leaves', 'ms', 'leaves/s', 'target'],
      [
        `leafHash + rootOf, in memory`,
        count(rehashed.events),
        fixed(rehashed.leafMs + rehashed.treeMs, 0),
        count(rehashed.leavesPerSecond),
        metOrNot(rehashed.leavesPerSecond >= REVERIFY_TARGET),
      ],
      [
        `  of which leafHash / rootOf`,
        '',
        `${fixed(rehashed.leafMs, 0)} / ${fixed(rehashed.treeMs, 0)}`,
        '',
        '',
      ],
      [
        'baseline: one SHA-256 per event',
        count(rehashed.events),
        fixed(rehashed.baselineMs, 0),
        count(rehashed.baselinePerSecond),
        '',
      ],
      ...[storedMemory, storedPostgres].map((s) => [
        `checkStoredLog, ${s.source}`,
        count(s.leaves),
        fixed(s.checkMs, 0),
        count(s.leavesPerSecond),
        metOrNot(s.leavesPerSecond >= REVERIFY_TARGET),
      ]),
    ]
    console.log(table(reverifyRows, 1))
    console.log(
      `tree/baseline time ${fixed(rehashed.timeRatio, 2)} (leaves/s ratio ` +
        `${fixed(rehashed.leavesPerSecond / rehashed.baselinePerSecond, 3)}); ` +
        `target >= ${count(REVERIFY_TARGET)} leaves/s per core; ` +
        `loading the PostgreSQL log's ${count(storedPostgres.leaves)} rows took ` +
        `${fixed(storedPostgres.loadMs, 0)} ms`,
    )

    console.log('')
    console.log(`Inclusion proofs — verifyInclusion, one core (other load ${share(proofLoad)})`)
    const proofRows = [
      [
        'tree size',
        'proofs',
        'mean µs',
        'p50 µs',
        'p99 µs',
        'wall µs',
        'hashes (min-max, mean)',
        'bytes (max)',
        'gen µs',
      ],
      ...verification.map((v) => [
        count(v.treeSize),
        count(v.proofs),
        fixed(v.meanUs, 2),
        fixed(v.p50Us, 2),
        fixed(v.p99Us, 2),
        fixed(v.wallMeanUs, 2),
        `${v.hashesMin}-${v.hashesMax}, ${fixed(v.hashesMean, 2)}`,
        String(v.bytesMax),
        fixed(v.generationUsPerProof, 1),
      ]),
      [
        'baseline: SHA-256 of 64 B',
        count(sha.calls),
        fixed(sha.meanUs, 2),
        fixed(sha.p50Us, 2),
        fixed(sha.p99Us, 2),
        fixed(sha.wallMeanUs, 2),
        '',
        '',
        '',
      ],
    ]
    console.log(table(proofRows, 1))
    const proofsOk = verification.every((v) => v.allVerified)
    console.log(
      `verify/baseline mean time ${fixed(main.meanUs / sha.meanUs, 1)} ` +
        `(median ${fixed(main.p50Us / sha.p50Us, 1)}); ` +
        `target mean <= ${VERIFY_TARGET_US} µs at ${count(main.treeSize)} leaves: ` +
        `${metOrNot(main.meanUs <= VERIFY_TARGET_US)}; every proof verified: ${proofsOk}`,
    )
    if (dbProofs) {
      console.log(
        `proof generation through PostgreSQL (proveFromDatabase, one transaction each), ` +
          `${count(dbProofs.treeSize)}-entry log: mean ${fixed(dbProofs.meanMs, 2)} ms, ` +
          `p50 ${fixed(dbProofs.p50Ms, 2)} ms, p99 ${fixed(dbProofs.p99Ms, 2)} ms, ` +
          `${fixed(dbProofs.queriesPerProof, 1)} queries a proof, ${dbProofs.proofs} proofs, ` +
          `all verified: ${dbProofs.allVerified}`,
      )
    }
    if (runs.some((r) => r.otherLoad !== null && r.otherLoad > OTHER_LOAD_WARNING)) {
      console.log(
        `note: other processes used over ${OTHER_LOAD_WARNING * 100}% of the machine during ` +
          'some append runs (other load); their figures are unreliable, CPU per event less so',
      )
    }

    mkdirSync(RESULTS_DIR, { recursive: true })
    const file = join(RESULTS_DIR, `audit-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`)
    const report = {
      benchmark: 'audit',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      environment,
      settings,
      appends: {
        runs,
        ratios,
        checks: Object.fromEntries(phases.map((p) => [p.database, p.check])),
        target: APPEND_TARGET,
      },
      reverification: {
        rehash: {
          ...rehashed,
          root: rehashed.root.toString('hex'),
          leaves: undefined,
          otherLoad: rehashing.otherLoad,
        },
        storedLogCheckOtherLoad: memoryChecking.otherLoad,
        storedLogs: [storedMemory, storedPostgres],
        target: REVERIFY_TARGET,
      },
      inclusionProofs: {
        verification,
        baselineSha256Of64Bytes: sha,
        databaseGeneration: dbProofs,
        otherLoad: proofLoad,
        targetMeanUs: VERIFY_TARGET_US,
      },
    }
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
    console.log(`results written to ${file}`)
    const failures = phases.filter((p) => !p.check.allOk).map((p) => p.database)
    if (failures.length > 0 || !proofsOk || (dbProofs && !dbProofs.allVerified)) {
      throw new Error(`correctness checks failed (${failures.join(', ') || 'proofs'})`)
    }
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup.run()
      } catch (err) {
        console.error(`audit: could not ${cleanup.what}:`, err)
      }
    }
  }
}
