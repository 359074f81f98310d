// Record import benchmark (DATA-1, KMS-2): what Rampart's bulk import costs next to writing the
// same values into the database with nothing else done.
//
// Rampart: BENCH_IMPORT_ROWS rows of CSV (3 personal fields, one of them the data-subject e-mail
// address, and 4 public or internal ones: text, number, boolean, date), fed in 64 KiB chunks as a
// file or an upload arrives, through the real import service (importAsOperator, the code behind
// both POST .../import and `rampart data import`): CSV parsing, type conversion, the schema check
// of every row, AES-256-GCM of every personal value and the blind index of the subject, batches
// of config.data.importBatchRows (1000) rows each in one withTenant transaction (row-level
// security, the collection re-checked and share-locked) with its audit event.
// Baseline, same run, same database: the same values, already in memory as typed columns, with
// one multi-row INSERT of 1000 rows per transaction into a plain table (no row-level security, no
// validation, no encryption, no audit): what the database alone needs to store that many rows.
// Both run on PostgreSQL (a fresh database, RAMPART_BENCH_DATABASE_URL) and on PGlite (in
// memory, as the audit benchmark), baseline first, after a warm-up of both; every round imports
// into emptied tables. Node does all of Rampart's work on one thread.
//
// Settings (environment): BENCH_IMPORT_ROWS (100000), BENCH_IMPORT_ROUNDS (1),
// BENCH_IMPORT_WARMUP rows of each before the first round (5000),
// BENCH_QUIET_WAIT seconds to wait for an idle machine before each round (10; 0 skips).
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import { sql } from 'kysely'
import { parseConfig } from '../src/config/config.ts'
import type { ServiceContext } from '../src/context.ts'
import { SYSTEM_META } from '../src/context.ts'
import { type KeyServices, openKeyServices } from '../src/crypto/key-services.ts'
import { type DatabaseHandle, openDatabase } from '../src/db/connection.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { withTenant } from '../src/db/tenant.ts'
import type { FieldDefinition } from '../src/modules/data/fields.ts'
import { importAsOperator } from '../src/modules/data/import.service.ts'
import { signUp } from '../src/modules/tenants/tenants.service.ts'
import { cpuUsedBetween, processesCpuMs, waitForQuietMachine } from './support/cpu.ts'
import { fixed, numberFromEnv, progressOf, table } from './support/figures.ts'
import { APP_ROLE, createBenchDatabase } from './support/postgres.ts'

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url))
const CHUNK_BYTES = 64 * 1024
const BASELINE_BATCH = 1000
const QUIET_IDLE_SHARE = 0.85
const PLAIN_TABLE = 'bench_import_plain'

const FIELDS: FieldDefinition[] = [
  { key: 'name', label: 'Name', type: 'text', classification: 'personal', required: true },
  { key: 'email', label: 'E-mail', type: 'email', classification: 'personal', required: true },
  { key: 'phone', label: 'Phone', type: 'text', classification: 'personal', required: false },
  { key: 'city', label: 'City', type: 'text', classification: 'public', required: false },
  { key: 'age', label: 'Age', type: 'number', classification: 'internal', required: false },
  { key: 'active', label: 'Active', type: 'boolean', classification: 'internal', required: false },
  { key: 'joined', label: 'Joined', type: 'date', classification: 'public', required: false },
]

const CITIES = ['Lyon', 'Zürich', 'Kraków', 'Leeds', 'Porto', 'Gent', 'Turku', 'Brno']

interface Row {
  name: string
  email: string
  phone: string
  city: string
  age: number
  active: boolean
  joined: string
}

function rowsOf(count: number): Row[] {
  const day = 86_400_000
  const start = Date.UTC(2000, 0, 1)
  return Array.from({ length: count }, (_, i) => ({
    name: `Person ${i} Example`,
    email: `person.${i}@example.com`,
    phone: `+44 20 7946 ${String(i % 10_000).padStart(4, '0')}`,
    city: CITIES[i % CITIES.length] as string,
    age: 18 + (i % 70),
    active: i % 3 === 0,
    joined: new Date(start + (i % 9000) * day).toISOString().slice(0, 10),
  }))
}

function csvOf(rows: Row[]): Buffer {
  const lines = ['name,email,phone,city,age,active,joined']
  for (const r of rows) {
    lines.push(`${r.name},${r.email},${r.phone},${r.city},${r.age},${r.active},${r.joined}`)
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`)
}

function* chunksOf(body: Buffer): Generator<Buffer> {
  for (let at = 0; at < body.length; at += CHUNK_BYTES) yield body.subarray(at, at + CHUNK_BYTES)
}

interface Target {
  label: string
  handle: DatabaseHandle
  backends: Backends
  ctx: ServiceContext
  tenantId: string
  collectionId: string
}

async function prepare(
  label: string,
  handle: DatabaseHandle,
  backends: Backends,
  keys: KeyServices,
): Promise<Target> {
  await migrateToLatest(handle)
  const config = parseConfig({
    RAMPART_DATA_DIR: mkdtempSync(join(tmpdir(), 'rampart-bench-import-config-')),
    RAMPART_DATABASE_APP_ROLE: APP_ROLE,
  })
  const ctx: ServiceContext = { config, db: handle, keys: keys.keyring }
  const { tenant } = await signUp(
    ctx,
    {
      organisationName: 'Import bench',
      slug: `import-bench-${randomUUID().slice(0, 8)}`,
      ownerEmail: 'owner@import-bench.example',
      ownerPassword: 'velvet-Harbour-71-quietly-Orbit',
    },
    SYSTEM_META,
    'system',
  )
  const collectionId = randomUUID()
  await withTenant(handle, tenant.id, async (trx) => {
    await trx
      .insertInto('collections')
      .values({
        id: collectionId,
        tenant_id: tenant.id,
        name: 'People',
        name_normalized: 'people',
        description: null,
        fields: JSON.stringify(FIELDS),
        subject_field: 'email',
        created_by: null,
      })
      .execute()
  })
  await sql`
    CREATE TABLE ${sql.table(PLAIN_TABLE)} (
      id uuid PRIMARY KEY, name text, email text, phone text, city text,
      age double precision, active boolean, joined date)`.execute(handle.db)
  return { label, handle, backends, ctx, tenantId: tenant.id, collectionId }
}

async function empty(target: Target): Promise<void> {
  await sql`TRUNCATE ${sql.table(PLAIN_TABLE)}`.execute(target.handle.db)
  await sql`DELETE FROM records WHERE collection_id = ${target.collectionId}`.execute(
    target.handle.db,
  )
}

interface Run {
  seconds: number
  /** This process's CPU time (user + system): all of Rampart's own work, and PGlite itself. */
  nodeCpuMs: number
  /** The PostgreSQL backends' CPU time; null on PGlite. */
  databaseCpuMs: number | null
}

type Backends = (() => Promise<number[]>) | null

async function timed(backends: Backends, fn: () => Promise<void>): Promise<Run> {
  const pids = backends ? await backends() : []
  const databaseBefore = processesCpuMs(pids)
  const nodeBefore = process.cpuUsage()
  const began = performance.now()
  await fn()
  const seconds = (performance.now() - began) / 1000
  const node = process.cpuUsage(nodeBefore)
  let databaseCpuMs: number | null = null
  if (backends) {
    // The pool may have opened connections during the run: their whole CPU time is the run's.
    const after = processesCpuMs(await backends())
    const opened = [...after].filter(([pid]) => !databaseBefore.has(pid))
    databaseCpuMs =
      cpuUsedBetween(databaseBefore, after) + opened.reduce((sum, [, ms]) => sum + ms, 0)
  }
  return { seconds, nodeCpuMs: (node.user + node.system) / 1000, databaseCpuMs }
}

function baseline(target: Target, rows: Row[]): Promise<Run> {
  return timed(target.backends, async () => {
    for (let at = 0; at < rows.length; at += BASELINE_BATCH) {
      const batch = rows.slice(at, at + BASELINE_BATCH)
      await target.handle.db.transaction().execute(async (trx) => {
        await sql`
          INSERT INTO ${sql.table(PLAIN_TABLE)} (id, name, email, phone, city, age, active, joined)
          VALUES ${sql.join(
            batch.map(
              (r) =>
                sql`(${randomUUID()}, ${r.name}, ${r.email}, ${r.phone}, ${r.city}, ${r.age}, ${r.active}, ${r.joined})`,
            ),
          )}`.execute(trx)
      })
    }
  })
}

function rampart(target: Target, csv: Buffer, expected: number): Promise<Run> {
  return timed(target.backends, async () => {
    const report = await importAsOperator(
      target.ctx,
      target.tenantId,
      target.collectionId,
      Readable.from(chunksOf(csv)),
      { format: 'csv', atomic: false },
    )
    if (report.imported !== expected || report.rejected !== 0) {
      throw new Error(
        `import went wrong: ${JSON.stringify({ ...report, issues: report.issues.slice(0, 3) })}`,
      )
    }
  })
}

interface Measured {
  database: string
  rows: number
  baseline: Run[]
  rampart: Run[]
}

/** The run of median duration. */
const median = (runs: Run[]): Run => {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds)
  return sorted[Math.floor(sorted.length / 2)] as Run
}

async function measure(
  target: Target,
  settings: { rows: number; rounds: number; warmup: number; quietWaitSeconds: number },
  progress: (message: string) => void,
): Promise<Measured> {
  const rows = rowsOf(settings.rows)
  const csv = csvOf(rows)
  const warm = rowsOf(settings.warmup)
  progress(`${target.label}: warm-up, ${settings.warmup} rows each`)
  await baseline(target, warm)
  await rampart(target, csvOf(warm), warm.length)
  const measured: Measured = {
    database: target.label,
    rows: settings.rows,
    baseline: [],
    rampart: [],
  }
  for (let round = 1; round <= settings.rounds; round++) {
    await empty(target)
    if (settings.quietWaitSeconds > 0) {
      await waitForQuietMachine(QUIET_IDLE_SHARE, settings.quietWaitSeconds * 1000)
    }
    const base = await baseline(target, rows)
    measured.baseline.push(base)
    progress(`${target.label} round ${round}: baseline ${fixed(base.seconds, 2)} s`)
    const ours = await rampart(target, csv, rows.length)
    measured.rampart.push(ours)
    progress(
      `${target.label} round ${round}: Rampart ${fixed(ours.seconds, 2)} s (${csv.length} bytes of CSV)`,
    )
  }
  return measured
}

export async function runDataImportBenchmark(): Promise<void> {
  const settings = {
    rows: numberFromEnv('BENCH_IMPORT_ROWS', 100_000, 1000),
    rounds: numberFromEnv('BENCH_IMPORT_ROUNDS', 1, 1),
    warmup: numberFromEnv('BENCH_IMPORT_WARMUP', 5000, 1000),
    quietWaitSeconds: numberFromEnv('BENCH_QUIET_WAIT', 10, 0),
  }
  const progress = progressOf('data-import')
  const startedAt = new Date()
  const keyDir = mkdtempSync(join(tmpdir(), 'rampart-bench-import-keys-'))
  const keys = await openKeyServices(
    parseConfig({ RAMPART_DATA_DIR: keyDir, RAMPART_DATABASE_APP_ROLE: APP_ROLE }).keys,
  )
  const results: Measured[] = []
  try {
    progress('creating and migrating a PostgreSQL database…')
    const database = await createBenchDatabase()
    try {
      const handle = await openDatabase({
        databaseUrl: database.url,
        appRole: APP_ROLE,
        poolSize: 4,
      })
      try {
        const target = await prepare('PostgreSQL', handle, () => database.backendPids(), keys)
        results.push(await measure(target, settings, progress))
      } finally {
        await handle.close()
      }
    } finally {
      await database.drop()
    }
    progress('creating and migrating a PGlite database…')
    const pglite = await openDatabase({ pglite: await PGlite.create(), appRole: APP_ROLE })
    try {
      results.push(await measure(await prepare('PGlite', pglite, null, keys), settings, progress))
    } finally {
      await pglite.close()
    }
  } finally {
    await keys.close()
    rmSync(keyDir, { recursive: true, force: true })
  }

  const perRow = (ms: number | null, rows: number) => (ms === null ? null : (ms * 1000) / rows)
  const lines = [
    [
      'database',
      'rows',
      'baseline rows/s',
      'Rampart rows/s',
      'ratio',
      'Rampart s',
      'Node µs/row (base/Rampart)',
      'PostgreSQL µs/row (base/Rampart)',
    ],
  ]
  for (const r of results) {
    const base = median(r.baseline)
    const ours = median(r.rampart)
    lines.push([
      r.database,
      String(r.rows),
      fixed(r.rows / base.seconds, 0),
      fixed(r.rows / ours.seconds, 0),
      fixed(base.seconds / ours.seconds, 2),
      fixed(ours.seconds, 2),
      `${fixed(perRow(base.nodeCpuMs, r.rows), 1)} / ${fixed(perRow(ours.nodeCpuMs, r.rows), 1)}`,
      `${fixed(perRow(base.databaseCpuMs, r.rows), 1)} / ${fixed(perRow(ours.databaseCpuMs, r.rows), 1)}`,
    ])
  }
  console.log(table(lines, 1))
  console.log(
    `(median of ${settings.rounds} round(s); ratio = Rampart rows/s over baseline rows/s; ${cpus().length} CPUs, Node ${process.version})`,
  )
  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = join(
    RESULTS_DIR,
    `data-import-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`,
  )
  writeFileSync(file, `${JSON.stringify({ startedAt, settings, results }, null, 2)}\n`)
  console.log(`results written to ${file}`)
}
