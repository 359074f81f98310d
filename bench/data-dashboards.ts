// Dashboard benchmark (DATA-1, AUTHZ-3): what computing widgets over records' jsonb values costs
// next to the same aggregates over a plain table with real columns, and what a kiosk page view
// costs next to a bare route doing the same token look-up. PostgreSQL only (a fresh database).
//
// 1. Widgets. One collection of BENCH_DASH_RECORDS (1,000,000) records, filled by one SQL
//    statement per 100,000 rows (generate_series): region (text, 5 values), product (enum, 3),
//    amount (number), sold_on (date over ~2.7 years), created_at over two years. Each widget kind
//    is timed through the service as a view computes it (computeDashboards in a withTenant
//    transaction: schema check, one aggregate statement, suppression): count grouped by region,
//    sum of amount, average of amount over a one-year range of sold_on, count by month of
//    sold_on, and sum of amount by product and month. Baseline: the same aggregate written by
//    hand over a plain table holding the same values in real columns (text, numeric, date), with
//    the same tenant, keys, partial index, row-level security and grants as `records`, run in the
//    same transaction shape (BEGIN, set_config role + tenant, one statement, COMMIT). Target:
//    under 1 s per widget. After a warm-up of each, BENCH_DASH_ROUNDS rounds time the baseline
//    then the widget; the table gives medians.
// 2. Kiosk page view. GET /kiosk/:token through app.inject on the real app (a link to a dashboard
//    without widgets, so the look-up is what is timed: guess counter, SECURITY DEFINER gateway,
//    link row, constant-time compare, audit event, page): latency p50 and p99 over
//    BENCH_DASH_KIOSK_VIEWS sequential views. Baseline: a bare Fastify instance with one route that
//    hashes the token and runs the same gateway and link look-up (withTenantByKioskToken +
//    findLiveKioskLinkByHash) and answers JSON, through its own inject, alternating in rounds.
//
// Settings (environment): BENCH_DASH_RECORDS (1000000), BENCH_DASH_ROUNDS (5),
// BENCH_DASH_KIOSK_VIEWS (2000) per round, BENCH_DASH_KIOSK_ROUNDS (3),
// BENCH_QUIET_WAIT seconds to wait for an idle machine before each round (10; 0 skips),
// RAMPART_BENCH_DATABASE_URL admin URL (postgres://postgres@127.0.0.1:5432/test).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { type Kysely, sql } from 'kysely'
import { type App, buildApp } from '../src/app.ts'
import { type Config, parseConfig } from '../src/config/config.ts'
import type { ServiceContext } from '../src/context.ts'
import { openKeyServices } from '../src/crypto/key-services.ts'
import { type DatabaseHandle, openDatabase } from '../src/db/connection.ts'
import { enableTenantIsolation } from '../src/db/rls.ts'
import { withTenant, withTenantByKioskToken } from '../src/db/tenant.ts'
import { findLiveKioskLinkByHash } from '../src/modules/access/kiosk-links.repository.ts'
import { findDashboard } from '../src/modules/data/dashboards.repository.ts'
import { computeDashboards } from '../src/modules/data/dashboards.service.ts'
import type { WidgetDefinition } from '../src/modules/data/dashboards.widgets.ts'
import { hashToken } from '../src/modules/identity/tokens.ts'
import { waitForQuietMachine } from './support/cpu.ts'
import { fixed, median, numberFromEnv, progressOf, table } from './support/figures.ts'
import { inject, type Org, organisation } from './support/organisation.ts'
import { APP_ROLE, createBenchDatabase } from './support/postgres.ts'

const TARGET_MS = 1000
const FILL_BATCH = 100_000
const QUIET_IDLE_SHARE = 0.85

const progress = progressOf('data-dashboards')

interface Settings {
  records: number
  rounds: number
  kioskViews: number
  kioskRounds: number
  quietWaitSeconds: number
}

function settingsFromEnv(): Settings {
  return {
    records: numberFromEnv('BENCH_DASH_RECORDS', 1_000_000, 1000),
    rounds: numberFromEnv('BENCH_DASH_ROUNDS', 5, 1),
    kioskViews: numberFromEnv('BENCH_DASH_KIOSK_VIEWS', 2000, 10),
    kioskRounds: numberFromEnv('BENCH_DASH_KIOSK_ROUNDS', 3, 1),
    quietWaitSeconds: numberFromEnv('BENCH_QUIET_WAIT', 10, 0),
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

async function quiet(settings: Settings): Promise<void> {
  if (settings.quietWaitSeconds > 0) {
    await waitForQuietMachine(QUIET_IDLE_SHARE, settings.quietWaitSeconds * 1000)
  }
}

/**
 * Fills the collection and the plain baseline table with the same values, as the owner (the
 * benchmark's own connection), one statement per batch.
 */
async function fill(handle: DatabaseHandle, org: Org, collectionId: string, count: number) {
  for (let at = 0; at < count; at += FILL_BATCH) {
    const to = Math.min(count, at + FILL_BATCH)
    await sql`
      INSERT INTO records (id, tenant_id, collection_id, data, created_at, updated_at)
      SELECT gen_random_uuid(), ${org.tenantId}, ${collectionId},
        jsonb_build_object(
          'region', (ARRAY['north', 'south', 'east', 'west', 'centre'])[1 + i % 5],
          'product', (ARRAY['basic', 'plus', 'pro'])[1 + i % 3],
          'amount', (i * 37) % 1000,
          'paid', i % 4 = 0,
          'sold_on', to_char(date '2024-01-01' + (i % 1000), 'YYYY-MM-DD')),
        now() - make_interval(days => i % 730), now()
      FROM generate_series(${at + 1}::int, ${to}::int) AS i`.execute(handle.db)
    progress(`${to} records`)
  }
  await sql`
    INSERT INTO bench_sales (id, tenant_id, collection_id, region, product, amount, paid, sold_on,
      created_at)
    SELECT id, tenant_id, collection_id, data ->> 'region', data ->> 'product',
      (data ->> 'amount')::numeric, (data ->> 'paid')::boolean, (data ->> 'sold_on')::date, created_at
    FROM records WHERE collection_id = ${collectionId}`.execute(handle.db)
  await sql`ANALYZE records`.execute(handle.db)
  await sql`ANALYZE bench_sales`.execute(handle.db)
}

/** The baseline table: real columns, the same keys, index, row-level security and grants. */
async function createBaselineTable(handle: DatabaseHandle): Promise<void> {
  await sql`
    CREATE TABLE bench_sales (
      id uuid PRIMARY KEY, tenant_id uuid NOT NULL, collection_id uuid NOT NULL,
      region text, product text, amount numeric, paid boolean, sold_on date,
      created_at timestamptz NOT NULL, deleted_at timestamptz
    )`.execute(handle.db)
  await sql`
    CREATE INDEX bench_sales_list_idx ON bench_sales (tenant_id, collection_id, created_at DESC, id DESC)
    WHERE deleted_at IS NULL`.execute(handle.db)
  await enableTenantIsolation(handle.db as unknown as Kysely<unknown>, APP_ROLE, 'bench_sales')
  await sql`GRANT SELECT ON bench_sales TO ${sql.id(APP_ROLE)}`.execute(handle.db)
}

interface Kind {
  name: string
  widget: Omit<WidgetDefinition, 'collectionId' | 'title'>
  /** The same aggregate by hand over bench_sales (tenant and collection bound). */
  baseline: (tenantId: string, collectionId: string) => ReturnType<typeof sql>
  dashboardId?: string
}

const scope = (tenantId: string, collectionId: string) =>
  sql`tenant_id = ${tenantId} AND collection_id = ${collectionId} AND deleted_at IS NULL`

const KINDS: Kind[] = [
  {
    name: 'count grouped by region',
    widget: { aggregate: 'count', groupBy: 'region' },
    baseline: (t, c) =>
      sql`SELECT region, count(*) FROM bench_sales WHERE ${scope(t, c)} GROUP BY 1 ORDER BY 2 DESC LIMIT 100`,
  },
  {
    name: 'sum of amount',
    widget: { aggregate: 'sum', field: 'amount' },
    baseline: (t, c) => sql`SELECT count(*), sum(amount) FROM bench_sales WHERE ${scope(t, c)}`,
  },
  {
    name: 'avg of amount, 1-year range',
    widget: {
      aggregate: 'avg',
      field: 'amount',
      timeField: 'sold_on',
      range: { from: '2024-06-01', to: '2025-05-31' },
    },
    baseline: (t, c) => sql`
      SELECT count(*), avg(amount) FROM bench_sales
      WHERE ${scope(t, c)} AND sold_on BETWEEN '2024-06-01' AND '2025-05-31'`,
  },
  {
    name: 'count by month of sold_on',
    widget: { aggregate: 'count', interval: 'month', timeField: 'sold_on' },
    baseline: (t, c) => sql`
      SELECT date_trunc('month', sold_on), count(*) FROM bench_sales WHERE ${scope(t, c)}
      GROUP BY 1 ORDER BY 2 DESC LIMIT 100`,
  },
  {
    name: 'sum by product and month',
    widget: {
      aggregate: 'sum',
      field: 'amount',
      groupBy: 'product',
      interval: 'month',
      timeField: 'sold_on',
    },
    baseline: (t, c) => sql`
      SELECT date_trunc('month', sold_on), product, count(*), sum(amount) FROM bench_sales
      WHERE ${scope(t, c)} GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 100`,
  },
]

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const began = performance.now()
  await fn()
  return performance.now() - began
}

interface WidgetFigures {
  name: string
  rampartMs: number
  baselineMs: number
}

async function benchWidgets(
  ctx: ServiceContext,
  org: Org,
  collectionId: string,
  settings: Settings,
): Promise<WidgetFigures[]> {
  const runWidget = (kind: Kind) =>
    withTenant(ctx.db, org.tenantId, async (trx) => {
      const row = await findDashboard(trx, org.tenantId, kind.dashboardId as string)
      if (!row) throw new Error('the dashboard is gone')
      const [results] = await computeDashboards(ctx, trx, org.tenantId, [row])
      if (results?.widgets[0]?.status !== 'ok') throw new Error(`${kind.name}: widget failed`)
    })
  const runBaseline = (kind: Kind) =>
    withTenant(ctx.db, org.tenantId, (trx) =>
      kind.baseline(org.tenantId, collectionId).execute(trx),
    )
  for (const kind of KINDS) {
    await runBaseline(kind)
    await runWidget(kind)
  }
  const times = new Map(
    KINDS.map((k) => [k.name, { rampart: [] as number[], baseline: [] as number[] }]),
  )
  for (let round = 0; round < settings.rounds; round++) {
    await quiet(settings)
    for (const kind of KINDS) {
      const t = times.get(kind.name) as { rampart: number[]; baseline: number[] }
      t.baseline.push(await timeMs(() => runBaseline(kind)))
      t.rampart.push(await timeMs(() => runWidget(kind)))
    }
    progress(`widgets: round ${round + 1} of ${settings.rounds}`)
  }
  return KINDS.map((kind) => {
    const t = times.get(kind.name) as { rampart: number[]; baseline: number[] }
    return { name: kind.name, rampartMs: median(t.rampart), baselineMs: median(t.baseline) }
  })
}

interface KioskFigures {
  rampart: number[]
  baseline: number[]
}

/** A bare Fastify route doing the same token look-up and nothing else. */
async function baselineKioskApp(handle: DatabaseHandle) {
  const bare = Fastify({ logger: false })
  bare.get<{ Params: { token: string } }>('/kiosk/:token', async (request, reply) => {
    const tokenHash = hashToken(request.params.token)
    const link = await withTenantByKioskToken(handle, tokenHash, async (trx, tenantId) =>
      tenantId ? findLiveKioskLinkByHash(trx, tenantId, tokenHash) : undefined,
    )
    if (!link) return reply.status(404).send({ error: 'not found' })
    return { id: link.id, name: link.name }
  })
  await bare.ready()
  return bare
}

async function benchKiosk(
  app: App,
  handle: DatabaseHandle,
  org: Org,
  settings: Settings,
): Promise<KioskFigures> {
  const dashboard = await inject(app, org, 'POST', '/api/v1/dashboards', {
    name: 'Lobby',
    widgets: [],
  })
  const link = await inject(app, org, 'POST', '/api/v1/kiosk-links', {
    name: 'Lobby screen',
    dashboardIds: [dashboard.id],
  })
  const url = `/kiosk/${link.token as string}`
  const bare = await baselineKioskApp(handle)
  try {
    const views = async (target: { inject: App['inject'] }, n: number, into: number[] | null) => {
      for (let i = 0; i < n; i++) {
        const began = performance.now()
        const res = await target.inject({ method: 'GET', url })
        if (res.statusCode !== 200) throw new Error(`kiosk view: ${res.statusCode} ${res.body}`)
        into?.push(performance.now() - began)
      }
    }
    const figures: KioskFigures = { rampart: [], baseline: [] }
    await views(bare, 200, null)
    await views(app, 200, null)
    for (let round = 0; round < settings.kioskRounds; round++) {
      await quiet(settings)
      await views(bare, settings.kioskViews, figures.baseline)
      await views(app, settings.kioskViews, figures.rampart)
      progress(`kiosk: round ${round + 1} of ${settings.kioskRounds}`)
    }
    return figures
  } finally {
    await bare.close()
  }
}

function configFor(dataDir: string): Config {
  return parseConfig({
    RAMPART_DATA_DIR: dataDir,
    RAMPART_DATABASE_APP_ROLE: APP_ROLE,
    RAMPART_RATE_LIMIT_GLOBAL: '100000000',
    RAMPART_RATE_LIMIT_SIGN_IN: '100000',
    RAMPART_RATE_LIMIT_SIGN_UP: '100000',
  })
}

export async function runDataDashboardsBenchmark(): Promise<void> {
  const settings = settingsFromEnv()
  const dataDir = mkdtempSync(join(tmpdir(), 'rampart-bench-dash-'))
  const pg = await createBenchDatabase()
  const config = configFor(dataDir)
  const handle = await openDatabase({ databaseUrl: pg.url, appRole: APP_ROLE, poolSize: 10 })
  const keys = await openKeyServices(config.keys)
  const app = await buildApp({ config, db: handle, logger: false, keys })
  await app.ready()
  try {
    const ctx: ServiceContext = { config, db: handle, keys: keys.keyring }
    const org = await organisation(app, `bench-dash-${process.pid}`, 'Bench dashboards')
    const collection = await inject(app, org, 'POST', '/api/v1/collections', {
      name: 'Sales',
      fields: [
        { key: 'region', label: 'Region', type: 'text', classification: 'public', required: false },
        {
          key: 'product',
          label: 'Product',
          type: 'enum',
          classification: 'internal',
          required: false,
          options: ['basic', 'plus', 'pro'],
        },
        {
          key: 'amount',
          label: 'Amount',
          type: 'number',
          classification: 'internal',
          required: false,
        },
        {
          key: 'paid',
          label: 'Paid',
          type: 'boolean',
          classification: 'internal',
          required: false,
        },
        {
          key: 'sold_on',
          label: 'Sold on',
          type: 'date',
          classification: 'public',
          required: false,
        },
        {
          key: 'customer',
          label: 'Customer',
          type: 'text',
          classification: 'personal',
          required: false,
        },
      ],
      subjectField: null,
    })
    const collectionId = collection.id as string
    await createBaselineTable(handle)
    await fill(handle, org, collectionId, settings.records)
    for (const kind of KINDS) {
      const dashboard = await inject(app, org, 'POST', '/api/v1/dashboards', {
        name: kind.name,
        widgets: [{ title: kind.name, collectionId, ...kind.widget }],
      })
      kind.dashboardId = dashboard.id as string
    }
    const widgets = await benchWidgets(ctx, org, collectionId, settings)
    const kiosk = await benchKiosk(app, handle, org, settings)

    console.log(
      `\nWidgets over ${settings.records} records (PostgreSQL), medians of ${settings.rounds} rounds`,
    )
    console.log(
      table(
        [
          ['widget', 'service ms', 'plain table ms', 'ratio', `target < ${TARGET_MS} ms`],
          ...widgets.map((w) => [
            w.name,
            fixed(w.rampartMs, 0),
            fixed(w.baselineMs, 0),
            fixed(w.rampartMs / w.baselineMs, 2),
            w.rampartMs < TARGET_MS ? 'met' : 'NOT met',
          ]),
        ],
        1,
      ),
    )
    console.log(
      `\nKiosk page view latency (PostgreSQL), ${settings.kioskRounds} x ${settings.kioskViews} sequential views`,
    )
    const rows = [
      ['route', 'p50 ms', 'p99 ms'],
      [
        'GET /kiosk/:token (Rampart)',
        fixed(percentile(kiosk.rampart, 50), 2),
        fixed(percentile(kiosk.rampart, 99), 2),
      ],
      [
        'bare route, same look-up',
        fixed(percentile(kiosk.baseline, 50), 2),
        fixed(percentile(kiosk.baseline, 99), 2),
      ],
      [
        'ratio',
        fixed(percentile(kiosk.rampart, 50) / percentile(kiosk.baseline, 50), 2),
        fixed(percentile(kiosk.rampart, 99) / percentile(kiosk.baseline, 99), 2),
      ],
    ]
    console.log(table(rows, 1))
  } finally {
    await app.close()
    await keys.close()
    await handle.close().catch(() => undefined)
    await pg.drop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
