// Field encryption and key unwrap benchmark (KMS-1, KMS-2): what Rampart's field encryption
// costs next to raw AES-256-GCM, and what the tenant key cache saves on a key provider.
//
// 1. Field encrypt and decrypt, 64-byte and 1 KiB values, through the real API: encryptField and
//    decryptField (src/crypto/field-encryption.ts) on a Keyring with the production cache
//    defaults, the file master-key provider and a directory key store, both in a temp directory.
//    Every operation names one of BENCH_CRYPTO_ROWS rows (its own row id, so its own associated
//    data), one tenant, one table/column. Baseline: raw node:crypto AES-256-GCM on the same
//    values in the same run: a fresh random 12-byte nonce per encryption, associated data of the
//    same length as Rampart's (prebuilt: building it is part of what Rampart costs), output
//    nonce || ciphertext || tag in one buffer, and the decryption of that. The baseline is
//    synchronous, as node:crypto is; Rampart's API is async (a key may need unwrapping), and that
//    cost is counted against it. A second, informative encryption baseline cuts its nonces from
//    one randomFillSync per 256 (as field-encryption.ts does), so the ratio against it shows what
//    Rampart costs beyond the cipher once the nonce source is alike. Node runs all of this on one
//    thread, so figures are per core; next to the wall-clock rates the table gives operations
//    per second of this process's CPU time, which other load on the machine disturbs less.
//    After a warm-up of every operation, BENCH_CRYPTO_ROUNDS rounds each time the baseline then
//    Rampart for every size and operation; the table gives the median and the spread.
// 2. Key unwraps. A SoftHSM2 token initialised by the benchmark in a temp directory (its own
//    softhsm2.conf), the pkcs11 provider on it, and the file provider as the baseline:
//    provider.unwrap itself, and keyring.fieldKey (what every field operation asks for) with the
//    default cache and with a cache of one use per unwrap (maxUses 1: every request reads the key
//    store and unwraps again, the same as no cache). Each measured for BENCH_CRYPTO_UNWRAP_SECONDS.
//
// Before each round the benchmark waits (up to BENCH_QUIET_WAIT s) for the machine to be mostly
// idle, and it prints the share of the machine other processes used during each measurement.
//
// Settings (environment): BENCH_CRYPTO_OPS operations per measurement (100000),
// BENCH_CRYPTO_WARMUP operations of each kind before the first round (30000),
// BENCH_CRYPTO_ROUNDS (5), BENCH_CRYPTO_ROWS distinct rows (1024),
// BENCH_CRYPTO_UNWRAP_SECONDS per unwrap measurement (1), BENCH_CRYPTO_UNWRAP_ROUNDS (3),
// BENCH_QUIET_WAIT seconds to wait for an idle machine before each round (10; 0 skips).
import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  randomFillSync,
  randomUUID,
} from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openDirectoryKeyStore } from '../src/crypto/directory-key-store.ts'
import { decryptField, encryptField, type FieldRef } from '../src/crypto/field-encryption.ts'
import { openFileProvider } from '../src/crypto/file-provider.ts'
import type { KeyProvider } from '../src/crypto/key-provider.ts'
import type { TenantKeyStore } from '../src/crypto/key-store.ts'
import { DEFAULT_KEY_CACHE, type KeyCacheOptions, Keyring } from '../src/crypto/keyring.ts'
import {
  createSoftHsmToken,
  type SoftHsmToken,
  softHsmSkipReason,
} from '../test/support/softhsm.ts'
import { type LoadReading, otherLoadBetween, readLoad, waitForQuietMachine } from './support/cpu.ts'
import { fixed, numberFromEnv, progressOf, table } from './support/figures.ts'

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url))
/** Rampart's field operations are expected to keep this share of raw AES-256-GCM's rate. */
const RATIO_TARGET = 0.8
/** Per core, 64-byte values (KMS-2). */
const ENCRYPT_TARGET = 120_000
const DECRYPT_TARGET = 200_000
const QUIET_IDLE_SHARE = 0.85
const OTHER_LOAD_WARNING = 0.1
const SIZES = [64, 1024] as const
const NONCE_BYTES = 12
const TAG_BYTES = 16
const HEADER_BYTES = 1 + 4 + NONCE_BYTES
const TABLE = 'credentials'
const COLUMN = 'secret'
/** A cache that serves one field operation per unwrap: every request unwraps, as with none. */
const NO_CACHE: KeyCacheOptions = { ttlMs: DEFAULT_KEY_CACHE.ttlMs, maxUses: 1 }

type Size = (typeof SIZES)[number]
type Operation = 'encrypt' | 'decrypt'
type Implementation = 'node:crypto' | 'node:crypto, batched nonces' | 'rampart'
const OPERATIONS: readonly Operation[] = ['encrypt', 'decrypt']

interface Settings {
  ops: number
  warmupOps: number
  rounds: number
  rows: number
  unwrapSeconds: number
  unwrapRounds: number
  quietWaitSeconds: number
}

function settingsFromEnv(): Settings {
  return {
    ops: numberFromEnv('BENCH_CRYPTO_OPS', 100_000, 1),
    warmupOps: numberFromEnv('BENCH_CRYPTO_WARMUP', 30_000, 0),
    rounds: numberFromEnv('BENCH_CRYPTO_ROUNDS', 5, 1),
    rows: numberFromEnv('BENCH_CRYPTO_ROWS', 1024, 1),
    unwrapSeconds: numberFromEnv('BENCH_CRYPTO_UNWRAP_SECONDS', 1, 0.05, false),
    unwrapRounds: numberFromEnv('BENCH_CRYPTO_UNWRAP_ROUNDS', 3, 1),
    quietWaitSeconds: numberFromEnv('BENCH_QUIET_WAIT', 10, 0, false),
  }
}

// ---------------------------------------------------------------------------------------------
// Figures and formatting

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

function count(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-'
}

function share(value: number | null): string {
  return value === null ? '-' : `${(value * 100).toFixed(0)}%`
}

/** "median (min–max)" of rates. */
function spread(values: readonly number[]): string {
  return `${count(median(values))} (${count(Math.min(...values))}–${count(Math.max(...values))})`
}

function metOrNot(met: boolean): string {
  return met ? 'met' : 'NOT met'
}

const progress = progressOf('crypto')

async function quiet(settings: Settings): Promise<number | null> {
  return settings.quietWaitSeconds > 0
    ? waitForQuietMachine(QUIET_IDLE_SHARE, settings.quietWaitSeconds * 1000)
    : null
}

/** Runs `fn` and says how busy the rest of the machine was meanwhile. */
async function underLoad<T>(fn: () => Promise<T>): Promise<{ value: T; otherLoad: number | null }> {
  const before: LoadReading = readLoad()
  const value = await fn()
  return { value, otherLoad: otherLoadBetween(before, readLoad()) }
}

// ---------------------------------------------------------------------------------------------
// Part 1: field encryption

interface Row {
  ref: FieldRef
  /** The baseline's associated data: as long as Rampart's for this row. */
  aad: Buffer
}

interface Workload {
  size: Size
  value: Buffer
  /** Per row: Rampart's ciphertext and the baseline's, for the decryptions. */
  sealed: Buffer[]
  raw: Buffer[]
}

/** The length of the associated data encryptField builds: header, then four prefixed parts. */
function aadLength(ref: FieldRef): number {
  const parts = [ref.tenantId, ref.table, ref.column, ref.rowId]
  return HEADER_BYTES + parts.reduce((sum, p) => sum + 4 + Buffer.byteLength(p, 'utf8'), 0)
}

function rawEncrypt(key: Buffer, aad: Buffer, value: Buffer): Buffer {
  return rawEncryptWith(key, aad, value, randomBytes(NONCE_BYTES))
}

function rawEncryptWith(key: Buffer, aad: Buffer, value: Buffer, nonce: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  cipher.setAAD(aad)
  return Buffer.concat([nonce, cipher.update(value), cipher.final(), cipher.getAuthTag()])
}

function rawDecrypt(key: Buffer, aad: Buffer, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES))
  decipher.setAAD(aad)
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
  return Buffer.concat([
    decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)),
    decipher.final(),
  ])
}

/**
 * Nonces cut from one randomFillSync per NONCE_BATCH: the second, informative baseline for
 * encryption. A randomBytes(12) call costs about as much as the encryption of 64 bytes here, and
 * field-encryption.ts draws its nonces in batches, so this baseline shows the rest of its cost.
 */
const NONCE_BATCH = 256
const noncePool = Buffer.alloc(NONCE_BATCH * NONCE_BYTES)
let nonceOffset = noncePool.length

function batchedNonce(): Buffer {
  if (nonceOffset === noncePool.length) {
    randomFillSync(noncePool)
    nonceOffset = 0
  }
  const nonce = noncePool.subarray(nonceOffset, nonceOffset + NONCE_BYTES)
  nonceOffset += NONCE_BYTES
  return nonce
}

interface FieldBench {
  keyring: Keyring
  rawKey: Buffer
  rows: Row[]
  workloads: Map<Size, Workload>
}

async function prepareFields(dir: string, settings: Settings): Promise<FieldBench> {
  const provider = openFileProvider(join(dir, 'keys', 'master.key'))
  const store = openDirectoryKeyStore(join(dir, 'keystore'))
  const keyring = new Keyring(provider, store, DEFAULT_KEY_CACHE)
  const tenantId = randomUUID()
  await keyring.createTenantKey(tenantId)
  const rows = Array.from({ length: settings.rows }, (): Row => {
    const ref = { tenantId, table: TABLE, column: COLUMN, rowId: randomUUID() }
    return { ref, aad: randomBytes(aadLength(ref)) }
  })
  const rawKey = randomBytes(32)
  const workloads = new Map<Size, Workload>()
  for (const size of SIZES) {
    const value = randomBytes(size)
    const sealed: Buffer[] = []
    const raw: Buffer[] = []
    for (const row of rows) {
      const mine = await encryptField(keyring, row.ref, value)
      const theirs = rawEncrypt(rawKey, row.aad, value)
      // Both must round-trip, and both carry the same 12-byte nonce and 16-byte tag.
      if (!(await decryptField(keyring, row.ref, mine)).equals(value)) {
        throw new Error('decryptField does not return what encryptField sealed')
      }
      if (!rawDecrypt(rawKey, row.aad, theirs).equals(value)) {
        throw new Error('the baseline does not round-trip')
      }
      if (!rawDecrypt(rawKey, row.aad, rawEncryptWith(rawKey, row.aad, value, batchedNonce()))) {
        throw new Error('the batched-nonce baseline does not round-trip')
      }
      if (mine.length !== theirs.length + HEADER_BYTES - NONCE_BYTES) {
        throw new Error(`unexpected ciphertext sizes ${mine.length} and ${theirs.length}`)
      }
      sealed.push(mine)
      raw.push(theirs)
    }
    workloads.set(size, { size, value, sealed, raw })
  }
  return { keyring, rawKey, rows, workloads }
}

function cpuMs(): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

/** Wall and CPU milliseconds for `ops` operations of one kind; the last result is checked. */
async function timeField(
  bench: FieldBench,
  workload: Workload,
  implementation: Implementation,
  operation: Operation,
  ops: number,
): Promise<{ ms: number; cpuMs: number }> {
  const { keyring, rawKey, rows } = bench
  const n = rows.length
  let last: Buffer | undefined
  const startCpu = cpuMs()
  const start = performance.now()
  if (implementation === 'rampart') {
    if (operation === 'encrypt') {
      for (let i = 0; i < ops; i++) {
        last = await encryptField(keyring, (rows[i % n] as Row).ref, workload.value)
      }
    } else {
      for (let i = 0; i < ops; i++) {
        last = await decryptField(
          keyring,
          (rows[i % n] as Row).ref,
          workload.sealed[i % n] as Buffer,
        )
      }
    }
  } else if (operation === 'decrypt') {
    for (let i = 0; i < ops; i++) {
      last = rawDecrypt(rawKey, (rows[i % n] as Row).aad, workload.raw[i % n] as Buffer)
    }
  } else if (implementation === 'node:crypto') {
    for (let i = 0; i < ops; i++) {
      last = rawEncrypt(rawKey, (rows[i % n] as Row).aad, workload.value)
    }
  } else {
    for (let i = 0; i < ops; i++) {
      last = rawEncryptWith(rawKey, (rows[i % n] as Row).aad, workload.value, batchedNonce())
    }
  }
  const ms = performance.now() - start
  const used = cpuMs() - startCpu
  const expected = operation === 'encrypt' ? workload.value.length + TAG_BYTES : workload.size
  if (!last || last.length < expected) throw new Error(`${implementation} ${operation} failed`)
  return { ms, cpuMs: used }
}

interface FieldRun {
  round: number
  size: Size
  operation: Operation
  implementation: Implementation
  opsPerSecond: number
  /** Operations per second of this process's CPU time: less disturbed by other load. */
  opsPerCpuSecond: number
  otherLoad: number | null
}

/** The implementations measured for an operation, the baseline first. */
function implementationsFor(operation: Operation): readonly Implementation[] {
  return operation === 'encrypt'
    ? ['node:crypto', 'node:crypto, batched nonces', 'rampart']
    : ['node:crypto', 'rampart']
}

async function fieldPhase(bench: FieldBench, settings: Settings): Promise<FieldRun[]> {
  if (settings.warmupOps > 0) {
    progress(`field encryption: warm-up, ${count(settings.warmupOps)} of each operation`)
    for (const size of SIZES) {
      const workload = bench.workloads.get(size) as Workload
      for (const operation of OPERATIONS) {
        for (const implementation of implementationsFor(operation)) {
          await timeField(bench, workload, implementation, operation, settings.warmupOps)
        }
      }
    }
  }
  const runs: FieldRun[] = []
  for (let round = 1; round <= settings.rounds; round++) {
    const idle = await quiet(settings)
    const busy = idle !== null && idle < QUIET_IDLE_SHARE
    progress(
      `field encryption: round ${round}/${settings.rounds}, ${count(settings.ops)} operations ` +
        `per measurement${busy ? ` (machine still busy: ${fixed(idle * 100, 0)}% idle)` : ''}`,
    )
    for (const size of SIZES) {
      const workload = bench.workloads.get(size) as Workload
      for (const operation of OPERATIONS) {
        for (const implementation of implementationsFor(operation)) {
          const { value, otherLoad } = await underLoad(() =>
            timeField(bench, workload, implementation, operation, settings.ops),
          )
          runs.push({
            round,
            size,
            operation,
            implementation,
            opsPerSecond: (settings.ops / value.ms) * 1000,
            opsPerCpuSecond: (settings.ops / value.cpuMs) * 1000,
            otherLoad,
          })
        }
      }
    }
  }
  return runs
}

interface FieldSummary {
  size: Size
  operation: Operation
  baseline: Implementation
  baselineRates: number[]
  rampartRates: number[]
  /** Per round, Rampart's rate over the baseline's, by wall time and by CPU time. */
  ratios: number[]
  cpuRatios: number[]
  rampartCpuRates: number[]
  otherLoadMax: number | null
}

function summarizeFields(runs: FieldRun[]): FieldSummary[] {
  const summaries: FieldSummary[] = []
  for (const size of SIZES) {
    for (const operation of OPERATIONS) {
      const mine = runs.filter((r) => r.size === size && r.operation === operation)
      const of = (implementation: Implementation) =>
        mine.filter((r) => r.implementation === implementation)
      const rampart = of('rampart')
      for (const baseline of implementationsFor(operation).filter((i) => i !== 'rampart')) {
        const base = of(baseline)
        const loads = [...base, ...rampart].map((r) => r.otherLoad)
        summaries.push({
          size,
          operation,
          baseline,
          baselineRates: base.map((r) => r.opsPerSecond),
          rampartRates: rampart.map((r) => r.opsPerSecond),
          ratios: rampart.map((r, i) => r.opsPerSecond / (base[i]?.opsPerSecond ?? Number.NaN)),
          cpuRatios: rampart.map(
            (r, i) => r.opsPerCpuSecond / (base[i]?.opsPerCpuSecond ?? Number.NaN),
          ),
          rampartCpuRates: rampart.map((r) => r.opsPerCpuSecond),
          otherLoadMax: loads.every((l) => l !== null) ? Math.max(...loads) : null,
        })
      }
    }
  }
  return summaries
}

function sizeLabel(size: Size): string {
  return size >= 1024 ? `${size / 1024} KiB` : `${size} B`
}

function ratioSpread(values: readonly number[]): string {
  return `${fixed(median(values), 2)} (${fixed(Math.min(...values), 2)}–${fixed(Math.max(...values), 2)})`
}

function printFields(summaries: FieldSummary[], settings: Settings): void {
  const header = [
    'value',
    'operation',
    'baseline',
    'baseline ops/s',
    'Rampart ops/s',
    'ratio',
    'ratio, CPU time',
    'Rampart ops/CPU-s',
    'µs/op base',
    'µs/op Rampart',
    'other load',
  ]
  const rows = summaries.map((s) => [
    sizeLabel(s.size),
    s.operation,
    s.baseline,
    spread(s.baselineRates),
    spread(s.rampartRates),
    ratioSpread(s.ratios),
    ratioSpread(s.cpuRatios),
    count(median(s.rampartCpuRates)),
    fixed(1e6 / median(s.baselineRates), 2),
    fixed(1e6 / median(s.rampartRates), 2),
    share(s.otherLoadMax),
  ])
  console.log('')
  console.log(
    `Field encryption, one thread: median (min–max) of ${settings.rounds} round(s) of ` +
      `${count(settings.ops)} operations over ${count(settings.rows)} rows; other load is the ` +
      'highest of the measurements in the row',
  )
  console.log(table([header, ...rows], 3))
  console.log('')
  for (const s of summaries.filter((x) => x.baseline === 'node:crypto')) {
    const ratio = median(s.ratios)
    let line =
      `${sizeLabel(s.size)} ${s.operation}: ratio ${fixed(ratio, 2)} ` +
      `(target >= ${RATIO_TARGET}: ${metOrNot(ratio >= RATIO_TARGET)})`
    if (s.size === 64) {
      const target = s.operation === 'encrypt' ? ENCRYPT_TARGET : DECRYPT_TARGET
      const rate = median(s.rampartRates)
      const cpuRate = median(s.rampartCpuRates)
      line +=
        `; ${count(rate)}/s, ${count(cpuRate)} per CPU-second ` +
        `(target >= ${count(target)}: ${metOrNot(rate >= target)}, per CPU-second ` +
        `${metOrNot(cpuRate >= target)})`
    }
    console.log(line)
  }
}

// ---------------------------------------------------------------------------------------------
// Part 2: key unwraps

/** A provider that counts its unwraps, so the table shows how often the cache unwraps. */
function counting(inner: KeyProvider): { provider: KeyProvider; unwraps: () => number } {
  let unwraps = 0
  return {
    provider: {
      ...inner,
      unwrap(wrapped, context) {
        unwraps++
        return inner.unwrap(wrapped, context)
      },
    },
    unwraps: () => unwraps,
  }
}

interface KeySource {
  name: 'file' | 'pkcs11'
  provider: KeyProvider
  unwraps: () => number
  store: TenantKeyStore
  tenantId: string
}

async function keySource(
  name: KeySource['name'],
  inner: KeyProvider,
  storeDir: string,
): Promise<KeySource> {
  const { provider, unwraps } = counting(inner)
  const store = openDirectoryKeyStore(storeDir)
  const tenantId = randomUUID()
  await new Keyring(provider, store).createTenantKey(tenantId)
  return { name, provider, unwraps, store, tenantId }
}

type UnwrapPath = 'provider.unwrap' | 'fieldKey, cache' | 'fieldKey, no cache' | 'store.read'

interface UnwrapRun {
  round: number
  source: KeySource['name']
  path: UnwrapPath
  opsPerSecond: number
  unwrapsPerOp: number
  otherLoad: number | null
}

/** Runs `op` again and again for `seconds`; operations per second. */
async function rate(
  seconds: number,
  op: () => Promise<unknown>,
): Promise<{ ops: number; ms: number }> {
  const start = performance.now()
  const deadline = start + seconds * 1000
  let ops = 0
  let now = start
  while (now < deadline) {
    // Checking the clock every 16 operations keeps its cost out of the fast paths.
    for (let i = 0; i < 16; i++) await op()
    ops += 16
    now = performance.now()
  }
  return { ops, ms: now - start }
}

const WRAP_CONTEXT_VERSION = 1

/** The operation one path times, and the keyring it uses (cleared afterwards), if any. */
async function prepare(
  source: KeySource,
  path: UnwrapPath,
): Promise<{ op: () => Promise<unknown>; keyring: Keyring | null }> {
  const info = `${TABLE}/${COLUMN}`
  if (path === 'store.read') return { op: () => source.store.read(source.tenantId), keyring: null }
  if (path === 'provider.unwrap') {
    // Read once: the loop times the provider alone.
    const stored = (await source.store.read(source.tenantId)).versions[0]
    if (!stored) throw new Error('no stored tenant key')
    // The context Keyring wraps tenant keys with (src/crypto/keyring.ts, wrapContext).
    const context = Buffer.from(
      `rampart-tenant-key\u0000${source.tenantId}\u0000${WRAP_CONTEXT_VERSION}`,
      'utf8',
    )
    return {
      op: async () => (await source.provider.unwrap(stored, context)).fill(0),
      keyring: null,
    }
  }
  const keyring = new Keyring(
    source.provider,
    source.store,
    path === 'fieldKey, cache' ? DEFAULT_KEY_CACHE : NO_CACHE,
  )
  return {
    op: async () => (await keyring.fieldKey(source.tenantId, WRAP_CONTEXT_VERSION, info)).fill(0),
    keyring,
  }
}

const UNWRAP_PATHS: readonly UnwrapPath[] = [
  'store.read',
  'provider.unwrap',
  'fieldKey, no cache',
  'fieldKey, cache',
]

async function unwrapPhase(sources: KeySource[], settings: Settings): Promise<UnwrapRun[]> {
  progress('key unwraps: warm-up')
  for (const source of sources) {
    for (const path of UNWRAP_PATHS) {
      const { op, keyring } = await prepare(source, path)
      await rate(Math.min(0.3, settings.unwrapSeconds), op)
      keyring?.clear()
    }
  }
  const runs: UnwrapRun[] = []
  for (let round = 1; round <= settings.unwrapRounds; round++) {
    const idle = await quiet(settings)
    const busy = idle !== null && idle < QUIET_IDLE_SHARE
    progress(
      `key unwraps: round ${round}/${settings.unwrapRounds}, ${settings.unwrapSeconds} s per ` +
        `measurement${busy ? ` (machine still busy: ${fixed(idle * 100, 0)}% idle)` : ''}`,
    )
    for (const source of sources) {
      for (const path of UNWRAP_PATHS) {
        const { op, keyring } = await prepare(source, path)
        const unwrapsBefore = source.unwraps()
        const { value, otherLoad } = await underLoad(() => rate(settings.unwrapSeconds, op))
        keyring?.clear()
        runs.push({
          round,
          source: source.name,
          path,
          opsPerSecond: (value.ops / value.ms) * 1000,
          unwrapsPerOp: (source.unwraps() - unwrapsBefore) / value.ops,
          otherLoad,
        })
      }
    }
  }
  return runs
}

interface UnwrapSummary {
  source: KeySource['name']
  path: UnwrapPath
  rates: number[]
  unwrapsPerOp: number
  otherLoadMax: number | null
}

function summarizeUnwraps(runs: UnwrapRun[]): UnwrapSummary[] {
  const summaries: UnwrapSummary[] = []
  for (const source of ['file', 'pkcs11'] as const) {
    for (const path of UNWRAP_PATHS) {
      const mine = runs.filter((r) => r.source === source && r.path === path)
      if (mine.length === 0) continue
      const loads = mine.map((r) => r.otherLoad)
      summaries.push({
        source,
        path,
        rates: mine.map((r) => r.opsPerSecond),
        unwrapsPerOp: median(mine.map((r) => r.unwrapsPerOp)),
        otherLoadMax: loads.every((l) => l !== null) ? Math.max(...loads) : null,
      })
    }
  }
  return summaries
}

const PATH_LABEL: Record<UnwrapPath, string> = {
  'store.read': 'key store read (directory)',
  'provider.unwrap': 'provider.unwrap',
  'fieldKey, no cache': 'keyring.fieldKey, no cache (1 use per unwrap)',
  'fieldKey, cache': `keyring.fieldKey, cache (${DEFAULT_KEY_CACHE.ttlMs / 1000} s, ${count(DEFAULT_KEY_CACHE.maxUses)} uses)`,
}

function printUnwraps(
  summaries: UnwrapSummary[],
  settings: Settings,
  skipped: string | null,
): void {
  console.log('')
  console.log(
    `Tenant keys, one thread: median (min–max) of ${settings.unwrapRounds} round(s) of ` +
      `${settings.unwrapSeconds} s`,
  )
  if (skipped) console.log(`pkcs11 skipped: ${skipped}`)
  const header = ['provider', 'path', 'ops/s', 'unwraps/op', 'other load (max)']
  const rows = summaries.map((s) => [
    s.source,
    PATH_LABEL[s.path],
    spread(s.rates),
    s.unwrapsPerOp >= 0.01 ? fixed(s.unwrapsPerOp, 2) : s.unwrapsPerOp.toExponential(1),
    share(s.otherLoadMax),
  ])
  console.log(table([header, ...rows], 2))
  const of = (source: KeySource['name'], path: UnwrapPath) =>
    median(summaries.find((s) => s.source === source && s.path === path)?.rates ?? [])
  console.log('')
  for (const source of ['file', 'pkcs11'] as const) {
    const cached = of(source, 'fieldKey, cache')
    const uncached = of(source, 'fieldKey, no cache')
    if (Number.isNaN(cached)) continue
    console.log(
      `${source}: the cache serves ${fixed(cached / uncached, 0)} times as many key requests ` +
        `as unwrapping each time`,
    )
  }
  const hsm = of('pkcs11', 'provider.unwrap')
  const file = of('file', 'provider.unwrap')
  if (!Number.isNaN(hsm)) {
    console.log(`pkcs11/file provider.unwrap rate: ${fixed(hsm / file, 3)}`)
  }
}

// ---------------------------------------------------------------------------------------------

export async function runCryptoBenchmark(): Promise<void> {
  const settings = settingsFromEnv()
  const startedAt = new Date()
  const cleanups: { what: string; run: () => Promise<void> | void }[] = []
  try {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-crypto-'))
    cleanups.push({
      what: `remove ${dir}`,
      run: () => rmSync(dir, { recursive: true, force: true }),
    })

    const fields = await prepareFields(join(dir, 'fields'), settings)
    const fieldRuns = await fieldPhase(fields, settings)
    fields.keyring.clear()
    const fieldSummaries = summarizeFields(fieldRuns)

    const fileProvider = openFileProvider(join(dir, 'unwrap', 'master.key'))
    const sources = [await keySource('file', fileProvider, join(dir, 'unwrap', 'file-store'))]
    const skipped = softHsmSkipReason()
    if (!skipped) {
      const token: SoftHsmToken = createSoftHsmToken('rampart-bench')
      cleanups.push({
        what: `remove the SoftHSM2 token in ${token.dir}`,
        run: () => token.cleanup(),
      })
      // Loaded only here, like src/crypto/key-services.ts: the native module is optional.
      const { openPkcs11Provider } = await import('../src/crypto/pkcs11-provider.ts')
      const hsm = await openPkcs11Provider({
        library: token.library,
        tokenLabel: token.tokenLabel,
        pin: token.pin,
        keyLabelPrefix: 'rampart-master',
      })
      cleanups.push({ what: 'close the pkcs11 provider', run: () => hsm.close() })
      sources.push(await keySource('pkcs11', hsm, join(dir, 'unwrap', 'pkcs11-store')))
      progress(`pkcs11: SoftHSM2 token "${token.tokenLabel}" in ${token.dir}`)
    }
    const unwrapSummaries = summarizeUnwraps(await unwrapPhase(sources, settings))

    const cpuList = cpus()
    const environment = {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpuList.length,
      cpuModel: cpuList[0]?.model ?? 'unknown',
    }
    console.log('')
    console.log(
      `Node ${environment.node}, ${environment.cpus} CPU(s) (${environment.cpuModel}); ` +
        'other load = share of the whole machine used by other processes during a measurement',
    )
    printFields(fieldSummaries, settings)
    printUnwraps(unwrapSummaries, settings, skipped)
    const loads = [...fieldSummaries, ...unwrapSummaries].map((s) => s.otherLoadMax)
    if (loads.some((l) => l !== null && l > OTHER_LOAD_WARNING)) {
      console.log(
        `note: other processes used over ${OTHER_LOAD_WARNING * 100}% of the machine during ` +
          'some measurements (other load); on a 2-core machine up to 50% leaves this thread ' +
          'its core, beyond that its figures are low',
      )
    }

    mkdirSync(RESULTS_DIR, { recursive: true })
    const file = join(RESULTS_DIR, `crypto-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`)
    const report = {
      benchmark: 'crypto',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      environment,
      settings,
      targets: { ratio: RATIO_TARGET, encrypt64: ENCRYPT_TARGET, decrypt64: DECRYPT_TARGET },
      fields: fieldSummaries,
      unwraps: unwrapSummaries,
      pkcs11Skipped: skipped,
    }
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
    console.log(`results written to ${file}`)
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup.run()
      } catch (err) {
        console.error(`crypto: could not ${cleanup.what}:`, err)
      }
    }
  }
}
