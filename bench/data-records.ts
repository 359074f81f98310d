// Data benchmark, record reads (KMS-2, DATA-1): what storing personal fields only encrypted costs
// a reader. Two collections of the same shape in one organisation, filled with the same values:
// in one, `name`, `email` and `phone` are personal (AES-256-GCM ciphertext in `records.sealed`,
// decrypted and bound-checked on every read); in the baseline they are public (plain values in
// `records.data`). Everything else is the same code path, measured in the same run: the real app
// through app.inject with a bearer session, the session look-up, the grant check, the keyset
// query, serialisation.
//
// 1. Pages: GET /api/v1/collections/:id/records?limit=PAGE, following nextCursor through every
//    record; figure = records read per second.
// 2. Single records: GET /api/v1/collections/:id/records/:recordId for random ids; reads/s.
// Rounds alternate baseline and encrypted, after a warm-up of both; medians are compared.
//
// Settings (environment): BENCH_DATA_RECORDS (10000) per collection, BENCH_DATA_PAGE (100),
// BENCH_DATA_SINGLE_READS (3000) per round, BENCH_DATA_ROUNDS (5), BENCH_DATA_DATABASES
// (`postgres,pglite`), RAMPART_BENCH_DATABASE_URL admin URL (postgres://postgres@127.0.0.1:5432/test).
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Insertable } from 'kysely'
import { type App, buildApp } from '../src/app.ts'
import { parseConfig } from '../src/config/config.ts'
import type { ServiceContext } from '../src/context.ts'
import { openKeyServices } from '../src/crypto/key-services.ts'
import { type DatabaseHandle, openDatabase } from '../src/db/connection.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { withTenant } from '../src/db/tenant.ts'
import type { Collection } from '../src/modules/data/collections.service.ts'
import type { Classification } from '../src/modules/data/fields.ts'
import { sealRecord } from '../src/modules/data/records.codec.ts'
import { insertRecords } from '../src/modules/data/records.repository.ts'
import type { RecordsTable } from '../src/modules/data/records.table.ts'
import { fixed, median, numberFromEnv, progressOf, table } from './support/figures.ts'
import { inject, type Org, organisation } from './support/organisation.ts'
import { APP_ROLE, createBenchDatabase } from './support/postgres.ts'

const TARGET_RATIO = 0.6
const SEED_BATCH = 1000

interface Settings {
  records: number
  page: number
  singleReads: number
  rounds: number
  databases: ('postgres' | 'pglite')[]
}

function settingsFromEnv(): Settings {
  const databases = (process.env.BENCH_DATA_DATABASES ?? 'postgres,pglite')
    .split(',')
    .map((d) => d.trim())
  for (const d of databases) {
    if (d !== 'postgres' && d !== 'pglite') {
      throw new Error(`BENCH_DATA_DATABASES: unknown database "${d}"`)
    }
  }
  return {
    records: numberFromEnv('BENCH_DATA_RECORDS', 10_000, 100),
    page: numberFromEnv('BENCH_DATA_PAGE', 100, 1),
    singleReads: numberFromEnv('BENCH_DATA_SINGLE_READS', 3000, 10),
    rounds: numberFromEnv('BENCH_DATA_ROUNDS', 5, 1),
    databases: databases as Settings['databases'],
  }
}

const progress = progressOf('data-records')

function fieldsWith(personal: Classification) {
  return [
    { key: 'name', label: 'Name', type: 'text', classification: personal, required: true },
    { key: 'email', label: 'E-mail', type: 'email', classification: personal, required: false },
    { key: 'phone', label: 'Phone', type: 'text', classification: personal, required: false },
    { key: 'city', label: 'City', type: 'text', classification: 'public', required: false },
    { key: 'amount', label: 'Amount', type: 'number', classification: 'internal', required: false },
    {
      key: 'tier',
      label: 'Tier',
      type: 'enum',
      classification: 'internal',
      required: false,
      options: ['gold', 'silver', 'bronze'],
    },
  ]
}

/** The same values for both collections: row i of one equals row i of the other. */
function valuesOf(i: number) {
  return {
    name: `Customer ${i} Ångström-Müller`,
    email: `customer-${i}@example.org`,
    phone: `+44 20 7946 ${String(i % 10_000).padStart(4, '0')}`,
    city: ['London', 'Leeds', 'Bristol', 'York'][i % 4] as string,
    amount: (i * 37) % 1000,
    tier: ['gold', 'silver', 'bronze'][i % 3] as string,
  }
}

/** Fills a collection straight through the codec and repository: seeding is not what is timed. */
async function seed(ctx: ServiceContext, org: Org, collection: Collection, count: number) {
  const ids: string[] = []
  for (let at = 0; at < count; at += SEED_BATCH) {
    const rows: Insertable<RecordsTable>[] = []
    for (let i = at; i < Math.min(count, at + SEED_BATCH); i++) {
      const id = randomUUID()
      ids.push(id)
      const sealed = await sealRecord(ctx.keys, org.tenantId, collection, id, valuesOf(i))
      rows.push({
        id,
        tenant_id: org.tenantId,
        collection_id: collection.id,
        data: JSON.stringify(sealed.data),
        sealed: JSON.stringify(sealed.sealed),
        subject_index: sealed.subjectIndex,
        subject_key_version: sealed.subjectKeyVersion,
      })
    }
    await withTenant(ctx.db, org.tenantId, (trx) => insertRecords(trx, rows))
  }
  return ids
}

interface Target {
  collection: Collection
  ids: string[]
}

/** Pages through every record; records per second. */
async function pageThrough(app: App, org: Org, target: Target, page: number): Promise<number> {
  const began = performance.now()
  let read = 0
  let cursor: string | null = null
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
    const body = await inject(
      app,
      org,
      'GET',
      `/api/v1/collections/${target.collection.id}/records?limit=${page}${query}`,
    )
    read += (body.records as unknown[]).length
    cursor = body.nextCursor as string | null
  } while (cursor)
  if (read !== target.ids.length) throw new Error(`read ${read} of ${target.ids.length} records`)
  return read / ((performance.now() - began) / 1000)
}

/** Reads random single records; reads per second. */
async function singles(app: App, org: Org, target: Target, reads: number): Promise<number> {
  const began = performance.now()
  for (let i = 0; i < reads; i++) {
    const id = target.ids[Math.floor(Math.random() * target.ids.length)] as string
    const body = await inject(
      app,
      org,
      'GET',
      `/api/v1/collections/${target.collection.id}/records/${id}`,
    )
    if (typeof (body.values as { email?: unknown }).email !== 'string') {
      throw new Error('a record came back without its e-mail address')
    }
  }
  return reads / ((performance.now() - began) / 1000)
}

interface Figures {
  database: string
  pagePlain: number
  pageSealed: number
  singlePlain: number
  singleSealed: number
}

async function runOn(kind: 'postgres' | 'pglite', settings: Settings): Promise<Figures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rampart-bench-data-'))
  const pg = kind === 'postgres' ? await createBenchDatabase() : null
  const env: Record<string, string> = {
    RAMPART_DATA_DIR: dataDir,
    RAMPART_DATABASE_APP_ROLE: APP_ROLE,
    RAMPART_RATE_LIMIT_GLOBAL: '100000000',
    RAMPART_RATE_LIMIT_SIGN_IN: '100000',
    RAMPART_RATE_LIMIT_SIGN_UP: '100000',
  }
  const config = parseConfig(env)
  const handle: DatabaseHandle = pg
    ? await openDatabase({ databaseUrl: pg.url, appRole: APP_ROLE, poolSize: 10 })
    : await openDatabase({ pgliteDir: 'memory://', appRole: APP_ROLE })
  await migrateToLatest(handle)
  const keys = await openKeyServices(config.keys)
  const app = await buildApp({ config, db: handle, logger: false, keys })
  await app.ready()
  try {
    const ctx: ServiceContext = { config, db: handle, keys: keys.keyring }
    const org = await organisation(app, `bench-data-${process.pid}`, 'Bench data')
    const targets: Record<'plain' | 'sealed', Target> = {
      plain: { collection: await collectionOf(app, org, 'plain', 'public'), ids: [] },
      sealed: { collection: await collectionOf(app, org, 'sealed', 'personal'), ids: [] },
    }
    for (const target of Object.values(targets)) {
      target.ids = await seed(ctx, org, target.collection, settings.records)
    }
    progress(`${kind}: ${settings.records} records in each collection`)
    // Warm-up: JIT, key cache, database buffers.
    for (const target of Object.values(targets)) {
      await pageThrough(app, org, target, settings.page)
      await singles(app, org, target, Math.min(500, settings.singleReads))
    }
    const page = { plain: [] as number[], sealed: [] as number[] }
    const single = { plain: [] as number[], sealed: [] as number[] }
    for (let round = 0; round < settings.rounds; round++) {
      for (const name of ['plain', 'sealed'] as const) {
        page[name].push(await pageThrough(app, org, targets[name], settings.page))
        single[name].push(await singles(app, org, targets[name], settings.singleReads))
      }
      progress(`${kind}: round ${round + 1} of ${settings.rounds}`)
    }
    return {
      database: kind === 'postgres' ? 'PostgreSQL' : 'PGlite',
      pagePlain: median(page.plain),
      pageSealed: median(page.sealed),
      singlePlain: median(single.plain),
      singleSealed: median(single.sealed),
    }
  } finally {
    await app.close()
    await keys.close()
    await handle.close()
    await pg?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function collectionOf(
  app: App,
  org: Org,
  name: string,
  personal: Classification,
): Promise<Collection> {
  const body = await inject(app, org, 'POST', '/api/v1/collections', {
    name: `Customers (${name})`,
    fields: fieldsWith(personal),
    // A data subject must be personal; the baseline has none (its blind index is not read here).
    subjectField: personal === 'personal' ? 'email' : null,
  })
  return body as unknown as Collection
}

export async function runDataRecordsBenchmark(): Promise<void> {
  const settings = settingsFromEnv()
  const rows: string[][] = [
    ['database', 'reads', 'plain /s', '3 personal /s', 'ratio', `target >= ${TARGET_RATIO}`],
  ]
  for (const kind of settings.databases) {
    const f = await runOn(kind, settings)
    for (const [what, plain, sealed] of [
      [`pages of ${settings.page}`, f.pagePlain, f.pageSealed],
      ['single records', f.singlePlain, f.singleSealed],
    ] as const) {
      const ratio = sealed / plain
      rows.push([
        f.database,
        what,
        fixed(plain, 0),
        fixed(sealed, 0),
        fixed(ratio, 2),
        ratio >= TARGET_RATIO ? 'met' : 'NOT met',
      ])
    }
  }
  console.log(
    `\nRecord reads through the API, ${settings.records} records per collection, medians of ${settings.rounds} rounds`,
  )
  console.log(table(rows, 2))
}
