// HTTP benchmark: authenticated GET /api/v1/me on the real Rampart app against a baseline that
// does the same database work by hand on a bare Fastify server (bench/servers/baseline.ts).
//
// Fairness. The machine this was written for has two cores, so where each piece runs matters:
// - Each server runs in its own Node process (bench/servers/*.ts, started with fork()), with its
//   own event loop and its own pg.Pool of POOL_SIZE connections to the same database.
// - autocannon runs in this (parent) process, which does nothing else while it measures; it is
//   never in the event loop of the server it measures, and uses no worker threads.
// - Both servers are up for the whole run but only one is loaded at a time; they are measured
//   alternately (baseline, rampart, baseline, rampart, …) with the same connections, duration
//   and warm-up, so drift (PostgreSQL caches, CPU frequency, other load) hits both alike.
// - PostgreSQL shares the same cores with both, equally.
//
// Settings (environment): BENCH_DURATION seconds per measured run (10), BENCH_WARMUP seconds of
// warm-up before each run (2), BENCH_CONNECTIONS (50), BENCH_ROUNDS of baseline+rampart (2),
// RAMPART_BENCH_DATABASE_URL admin URL (postgres://postgres@127.0.0.1:5432/test).
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { type ServerProcess, startServer } from './support/child.ts'
import { type BenchDatabase, createBenchDatabase } from './support/postgres.ts'

const PASSWORD = 'velvet-Harbour-71-quietly-Orbit'
const ROUTE = '/api/v1/me'
/** Rampart is expected to keep at least this share of the baseline's throughput. */
const THROUGHPUT_TARGET = 0.7
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url))

type Target = 'baseline' | 'rampart'
const TARGETS: readonly Target[] = ['baseline', 'rampart']

interface Settings {
  durationSeconds: number
  warmupSeconds: number
  connections: number
  rounds: number
}

interface RunFigures {
  round: number
  target: Target
  requestsPerSecond: number
  latencyP50Ms: number
  latencyP99Ms: number
  latencyAverageMs: number
  latencyMaxMs: number
  completed: number
  non2xx: number
  errors: number
  timeouts: number
  statusCodes: Record<string, number>
}

interface Summary {
  target: Target
  requestsPerSecond: number
  latencyP50Ms: number
  latencyP99Ms: number
  non2xx: number
}

function positiveNumber(name: string, fallback: number, integer: boolean): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`)
  }
  return value
}

function settingsFromEnv(): Settings {
  return {
    durationSeconds: positiveNumber('BENCH_DURATION', 10, false),
    warmupSeconds: positiveNumber('BENCH_WARMUP', 2, false),
    connections: positiveNumber('BENCH_CONNECTIONS', 50, true),
    rounds: positiveNumber('BENCH_ROUNDS', 2, true),
  }
}

async function postJson(url: string, body: unknown, expected: number): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  if (res.status !== expected) {
    throw new Error(`POST ${url} answered ${res.status}, expected ${expected}: ${text}`)
  }
  return JSON.parse(text)
}

/** Signs up an organisation on Rampart and signs its owner in as a bearer client. */
async function signedInToken(rampartUrl: string): Promise<string> {
  const slug = `bench-${randomBytes(4).toString('hex')}`
  const ownerEmail = `owner@${slug}.example`
  await postJson(
    `${rampartUrl}/api/v1/signup`,
    { organisationName: 'Bench Organisation', slug, ownerEmail, ownerPassword: PASSWORD },
    201,
  )
  const session = (await postJson(
    `${rampartUrl}/api/v1/sessions`,
    { tenant: slug, email: ownerEmail, password: PASSWORD, mode: 'bearer' },
    201,
  )) as { token?: unknown }
  if (typeof session.token !== 'string') throw new Error('sign-in returned no bearer token')
  return session.token
}

/** GET /api/v1/me once; it must answer 200, and the servers must answer alike. */
async function checkMe(server: ServerProcess, token: string): Promise<string> {
  const res = await fetch(`${server.url}${ROUTE}`, {
    headers: { authorization: `Bearer ${token}` },
  })
  const text = await res.text()
  if (res.status !== 200) {
    throw new Error(`${server.name}: GET ${ROUTE} answered ${res.status}, expected 200: ${text}`)
  }
  return JSON.stringify(JSON.parse(text))
}

function figuresOf(round: number, target: Target, result: autocannon.Result): RunFigures {
  const statusCodes: Record<string, number> = {}
  for (const [code, stats] of Object.entries(result.statusCodeStats))
    statusCodes[code] = stats.count
  return {
    round,
    target,
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyAverageMs: result.latency.average,
    latencyMaxMs: result.latency.max,
    completed: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  }
}

function assertClean(what: string, result: autocannon.Result): void {
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0 || result['2xx'] === 0) {
    throw new Error(
      `${what}: ${result.non2xx} non-2xx responses, ${result.errors} errors, ` +
        `${result.timeouts} timeouts, ${result['2xx']} 2xx (status codes ${JSON.stringify(
          result.statusCodeStats,
        )}); every request must succeed`,
    )
  }
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / Math.max(values.length, 1)
}

function summarize(target: Target, runs: RunFigures[]): Summary {
  const mine = runs.filter((r) => r.target === target)
  return {
    target,
    requestsPerSecond: mean(mine.map((r) => r.requestsPerSecond)),
    latencyP50Ms: mean(mine.map((r) => r.latencyP50Ms)),
    latencyP99Ms: mean(mine.map((r) => r.latencyP99Ms)),
    non2xx: mine.reduce((sum, r) => sum + r.non2xx, 0),
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  '),
    )
    .join('\n')
}

function fixed(value: number, digits: number): string {
  return value.toFixed(digits)
}

export async function runHttpBenchmark(): Promise<void> {
  const settings = settingsFromEnv()
  const startedAt = new Date()
  const cleanups: { what: string; run: () => Promise<void> | void }[] = []
  let interrupted = false
  let current: autocannon.Instance | undefined
  const onSigint = (): void => {
    interrupted = true
    current?.stop()
  }
  process.on('SIGINT', onSigint)
  const checkInterrupted = (): void => {
    if (interrupted) throw new Error('interrupted')
  }

  try {
    console.log(`http: creating and migrating a PostgreSQL database…`)
    const database: BenchDatabase = await createBenchDatabase()
    cleanups.push({ what: `drop database ${database.name}`, run: () => database.drop() })
    checkInterrupted()

    const dataDir = mkdtempSync(join(tmpdir(), 'rampart-bench-'))
    cleanups.push({
      what: `remove ${dataDir}`,
      run: () => rmSync(dataDir, { recursive: true, force: true }),
    })
    const env = { BENCH_DATABASE_URL: database.url, BENCH_DATA_DIR: dataDir }
    const servers = {} as Record<Target, ServerProcess>
    for (const target of TARGETS) {
      const server = await startServer(target, `${target}.ts`, env)
      cleanups.push({ what: `stop the ${target} server`, run: () => server.stop() })
      servers[target] = server
      checkInterrupted()
    }

    const token = await signedInToken(servers.rampart.url)
    const bodies = await Promise.all(TARGETS.map((t) => checkMe(servers[t], token)))
    if (bodies[0] !== bodies[1]) {
      throw new Error(
        `the servers answer differently:\n  baseline ${bodies[0]}\n  rampart  ${bodies[1]}`,
      )
    }
    console.log(`http: GET ${ROUTE} answers 200 with the same body on both servers`)

    const measure = async (
      target: Target,
      duration: number,
      title: string,
    ): Promise<autocannon.Result> => {
      const instance = autocannon({
        url: `${servers[target].url}${ROUTE}`,
        title,
        headers: { authorization: `Bearer ${token}` },
        connections: settings.connections,
        duration,
      })
      current = instance
      try {
        const result = await Promise.race([instance, servers[target].exited])
        checkInterrupted()
        assertClean(title, result)
        return result
      } finally {
        current = undefined
      }
    }

    const runs: RunFigures[] = []
    for (let round = 1; round <= settings.rounds; round++) {
      for (const target of TARGETS) {
        console.log(
          `http: round ${round}/${settings.rounds} ${target}: ` +
            `${settings.warmupSeconds} s warm-up, ${settings.durationSeconds} s measured`,
        )
        await measure(target, settings.warmupSeconds, `${target} warm-up ${round}`)
        const result = await measure(target, settings.durationSeconds, `${target} ${round}`)
        runs.push(figuresOf(round, target, result))
      }
    }

    const baseline = summarize('baseline', runs)
    const rampart = summarize('rampart', runs)
    const ratios = {
      throughput: rampart.requestsPerSecond / baseline.requestsPerSecond,
      latencyP99: rampart.latencyP99Ms / baseline.latencyP99Ms,
    }
    const cpuList = cpus()
    const environment = {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpuList.length,
      cpuModel: cpuList[0]?.model ?? 'unknown',
    }

    const header = ['run', 'target', 'req/s', 'p50 ms', 'p99 ms', 'avg ms', 'requests', 'non-2xx']
    const rows = runs.map((r) => [
      `round ${r.round}`,
      r.target,
      fixed(r.requestsPerSecond, 0),
      fixed(r.latencyP50Ms, 0),
      fixed(r.latencyP99Ms, 0),
      fixed(r.latencyAverageMs, 2),
      String(r.completed),
      String(r.non2xx),
    ])
    const summaryRows = [baseline, rampart].map((s) => [
      'mean',
      s.target,
      fixed(s.requestsPerSecond, 0),
      fixed(s.latencyP50Ms, 1),
      fixed(s.latencyP99Ms, 1),
      '',
      '',
      String(s.non2xx),
    ])
    const met = ratios.throughput >= THROUGHPUT_TARGET
    console.log('')
    console.log(
      `GET ${ROUTE} (bearer) — ${settings.connections} connections, ${settings.durationSeconds} s ` +
        `per run after ${settings.warmupSeconds} s warm-up, ${settings.rounds} round(s); ` +
        `Node ${environment.node}, ${environment.cpus} CPU(s)`,
    )
    console.log(table([header, ...rows, ...summaryRows]))
    console.log('')
    console.log(
      `rampart/baseline throughput: ${fixed(ratios.throughput, 3)} ` +
        `(target >= ${THROUGHPUT_TARGET}: ${met ? 'met' : 'NOT met'})`,
    )
    console.log(`rampart/baseline p99 latency: ${fixed(ratios.latencyP99, 3)}`)

    mkdirSync(RESULTS_DIR, { recursive: true })
    const file = join(RESULTS_DIR, `http-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`)
    const report = {
      benchmark: 'http',
      route: `GET ${ROUTE}`,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      environment,
      settings,
      runs,
      summary: { baseline, rampart },
      ratios,
      throughputTarget: THROUGHPUT_TARGET,
      throughputTargetMet: met,
    }
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
    console.log(`results written to ${file}`)
  } finally {
    process.off('SIGINT', onSigint)
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup.run()
      } catch (err) {
        console.error(`http: could not ${cleanup.what}:`, err)
      }
    }
  }
}
