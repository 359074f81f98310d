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
// - PostgreSQL shares the same cores with both, equally. So does anything else running on the
//   machine: before each run the benchmark waits (up to BENCH_QUIET_WAIT s) for the CPUs to be
//   mostly idle, and it reports each server's own CPU time per request, which other load
//   disturbs far less than throughput.
// - Rampart runs as built by buildApp() with logger: false (neither server logs requests) and
//   rate limits raised out of reach (the limiter still counts every request). Each measured run
//   uses a fresh session, so neither server meets the once-a-minute last_seen_at update.
//
// Settings (environment): BENCH_DURATION seconds per measured run (10), BENCH_WARMUP seconds of
// warm-up before each run (5), BENCH_CONNECTIONS (50), BENCH_ROUNDS of baseline+rampart (2),
// BENCH_QUIET_WAIT seconds to wait for an idle machine before each run (60; 0 skips the wait),
// RAMPART_BENCH_DATABASE_URL admin URL (postgres://postgres@127.0.0.1:5432/test).
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { type ServerProcess, startServer } from './support/child.ts'
import {
  cpuUsedBetween,
  machineBusyMs,
  processCpuMs,
  processesCpuMs,
  waitForQuietMachine,
} from './support/cpu.ts'
import { fixed, mean, numberFromEnv, table } from './support/figures.ts'
import { type BenchDatabase, createBenchDatabase } from './support/postgres.ts'

const PASSWORD = 'velvet-Harbour-71-quietly-Orbit'
const ROUTE = '/api/v1/me'
/** Rampart is expected to keep at least this share of the baseline's throughput. */
const THROUGHPUT_TARGET = 0.7
/** A run starts once at least this share of the machine's CPU is idle (or the wait is over). */
const QUIET_IDLE_SHARE = 0.85
/** Above this share of the machine used by other processes during a run, its figures are suspect. */
const OTHER_LOAD_WARNING = 0.1
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url))

type Target = 'baseline' | 'rampart'
const TARGETS: readonly Target[] = ['baseline', 'rampart']

interface Settings {
  durationSeconds: number
  warmupSeconds: number
  connections: number
  rounds: number
  quietWaitSeconds: number
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
  /** The server process's CPU time (user + system) per completed request; null off Linux. */
  serverCpuUsPerRequest: number | null
  /** Idle share of the machine's CPU just before the warm-up; null off Linux or unchecked. */
  idleBefore: number | null
  /**
   * Share of the machine's CPU used during the run by anything but this benchmark: the load
   * generator, the server measured and its PostgreSQL backends. Null off Linux.
   */
  otherLoad: number | null
}

interface Summary {
  target: Target
  requestsPerSecond: number
  latencyP50Ms: number
  latencyP99Ms: number
  serverCpuUsPerRequest: number | null
  non2xx: number
}

function settingsFromEnv(): Settings {
  return {
    durationSeconds: numberFromEnv('BENCH_DURATION', 10, 1, false),
    warmupSeconds: numberFromEnv('BENCH_WARMUP', 5, 1, false),
    connections: numberFromEnv('BENCH_CONNECTIONS', 50, 1),
    rounds: numberFromEnv('BENCH_ROUNDS', 2, 1),
    quietWaitSeconds: numberFromEnv('BENCH_QUIET_WAIT', 60, 0, false),
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

interface Owner {
  slug: string
  email: string
}

/** Signs up an organisation on Rampart; its owner signs in with PASSWORD. */
async function signUp(rampartUrl: string): Promise<Owner> {
  const slug = `bench-${randomBytes(4).toString('hex')}`
  const email = `owner@${slug}.example`
  await postJson(
    `${rampartUrl}/api/v1/signup`,
    { organisationName: 'Bench Organisation', slug, ownerEmail: email, ownerPassword: PASSWORD },
    201,
  )
  return { slug, email }
}

/** Signs the owner in as a bearer client: a new session, last seen now. */
async function signIn(rampartUrl: string, owner: Owner): Promise<string> {
  const session = (await postJson(
    `${rampartUrl}/api/v1/sessions`,
    { tenant: owner.slug, email: owner.email, password: PASSWORD, mode: 'bearer' },
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

function figuresOf(
  round: number,
  target: Target,
  result: autocannon.Result,
  serverCpuMs: number | null,
  idleBefore: number | null,
  otherLoad: number | null,
): RunFigures {
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
    serverCpuUsPerRequest:
      serverCpuMs === null || result.requests.total === 0
        ? null
        : (serverCpuMs * 1000) / result.requests.total,
    idleBefore,
    otherLoad,
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

interface CpuAccount {
  atMs: number
  serverMs: number | null
  /** The server and the PostgreSQL backends, by process id. */
  processesMs: Map<number, number>
  /** This process: the load generator. */
  selfMs: number
  machineBusyMs: number | null
}

function cpuAccount(serverPid: number | undefined, ours: readonly number[]): CpuAccount {
  const usage = process.cpuUsage()
  return {
    atMs: performance.now(),
    serverMs: processCpuMs(serverPid),
    processesMs: processesCpuMs(ours),
    selfMs: (usage.user + usage.system) / 1000,
    machineBusyMs: machineBusyMs(),
  }
}

function difference(after: number | null, before: number | null): number | null {
  return after === null || before === null ? null : after - before
}

function otherLoad(before: CpuAccount, after: CpuAccount): number | null {
  const busy = difference(after.machineBusyMs, before.machineBusyMs)
  const capacity = (after.atMs - before.atMs) * cpus().length
  if (busy === null || after.processesMs.size === 0 || capacity <= 0) return null
  const ours = cpuUsedBetween(before.processesMs, after.processesMs) + after.selfMs - before.selfMs
  return Math.max(0, busy - ours) / capacity
}

function summarize(target: Target, runs: RunFigures[]): Summary {
  const mine = runs.filter((r) => r.target === target)
  const cpu = mine.map((r) => r.serverCpuUsPerRequest)
  return {
    target,
    requestsPerSecond: mean(mine.map((r) => r.requestsPerSecond)),
    latencyP50Ms: mean(mine.map((r) => r.latencyP50Ms)),
    latencyP99Ms: mean(mine.map((r) => r.latencyP99Ms)),
    serverCpuUsPerRequest: cpu.every((c) => c !== null) ? mean(cpu) : null,
    non2xx: mine.reduce((sum, r) => sum + r.non2xx, 0),
  }
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

    const owner = await signUp(servers.rampart.url)
    const firstToken = await signIn(servers.rampart.url, owner)
    const bodies = await Promise.all(TARGETS.map((t) => checkMe(servers[t], firstToken)))
    if (bodies[0] !== bodies[1]) {
      throw new Error(
        `the servers answer differently:\n  baseline ${bodies[0]}\n  rampart  ${bodies[1]}`,
      )
    }
    console.log(`http: GET ${ROUTE} answers 200 with the same body on both servers`)

    const measure = async (
      target: Target,
      token: string,
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
      } catch (err) {
        instance.stop()
        throw err
      } finally {
        current = undefined
      }
    }

    const runs: RunFigures[] = []
    for (let round = 1; round <= settings.rounds; round++) {
      for (const target of TARGETS) {
        const token = await signIn(servers.rampart.url, owner)
        const idleBefore =
          settings.quietWaitSeconds > 0
            ? await waitForQuietMachine(QUIET_IDLE_SHARE, settings.quietWaitSeconds * 1000)
            : null
        checkInterrupted()
        const busy = idleBefore !== null && idleBefore < QUIET_IDLE_SHARE
        console.log(
          `http: round ${round}/${settings.rounds} ${target}: ` +
            `${settings.warmupSeconds} s warm-up, ${settings.durationSeconds} s measured` +
            (busy ? ` (machine still busy: ${fixed(idleBefore * 100, 0)}% idle)` : ''),
        )
        await measure(target, token, settings.warmupSeconds, `${target} warm-up ${round}`)
        // The pool's connections are all open after the warm-up.
        const ours = [await database.backendPids(), servers[target].pid ?? []].flat()
        const before = cpuAccount(servers[target].pid, ours)
        const result = await measure(target, token, settings.durationSeconds, `${target} ${round}`)
        const after = cpuAccount(servers[target].pid, ours)
        const serverCpuMs = difference(after.serverMs, before.serverMs)
        runs.push(
          figuresOf(round, target, result, serverCpuMs, idleBefore, otherLoad(before, after)),
        )
      }
    }

    const baseline = summarize('baseline', runs)
    const rampart = summarize('rampart', runs)
    const ratios = {
      throughput: rampart.requestsPerSecond / baseline.requestsPerSecond,
      latencyP99: rampart.latencyP99Ms / baseline.latencyP99Ms,
      serverCpuPerRequest:
        rampart.serverCpuUsPerRequest === null || baseline.serverCpuUsPerRequest === null
          ? null
          : rampart.serverCpuUsPerRequest / baseline.serverCpuUsPerRequest,
    }
    const cpuList = cpus()
    const environment = {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpuList.length,
      cpuModel: cpuList[0]?.model ?? 'unknown',
    }

    const header = [
      'run',
      'target',
      'req/s',
      'p50 ms',
      'p99 ms',
      'avg ms',
      'requests',
      'non-2xx',
      'srv CPU µs/req',
      'other load',
    ]
    const rows = runs.map((r) => [
      `round ${r.round}`,
      r.target,
      fixed(r.requestsPerSecond, 0),
      fixed(r.latencyP50Ms, 0),
      fixed(r.latencyP99Ms, 0),
      fixed(r.latencyAverageMs, 2),
      String(r.completed),
      String(r.non2xx),
      fixed(r.serverCpuUsPerRequest, 0),
      r.otherLoad === null ? '-' : `${fixed(r.otherLoad * 100, 0)}%`,
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
      fixed(s.serverCpuUsPerRequest, 0),
      '',
    ])
    const met = ratios.throughput >= THROUGHPUT_TARGET
    console.log('')
    console.log(
      `GET ${ROUTE} (bearer) — ${settings.connections} connections, ${settings.durationSeconds} s ` +
        `per run after ${settings.warmupSeconds} s warm-up, ${settings.rounds} round(s); ` +
        `Node ${environment.node}, ${environment.cpus} CPU(s)`,
    )
    console.log(table([header, ...rows, ...summaryRows], 2))
    console.log('')
    console.log(
      `rampart/baseline throughput: ${fixed(ratios.throughput, 3)} ` +
        `(target >= ${THROUGHPUT_TARGET}: ${met ? 'met' : 'NOT met'})`,
    )
    console.log(`rampart/baseline p99 latency: ${fixed(ratios.latencyP99, 3)}`)
    console.log(`rampart/baseline server CPU per request: ${fixed(ratios.serverCpuPerRequest, 3)}`)
    if (runs.some((r) => r.otherLoad !== null && r.otherLoad > OTHER_LOAD_WARNING)) {
      console.log(
        `note: other processes used over ${OTHER_LOAD_WARNING * 100}% of the machine during ` +
          'some runs (other load); their throughput and latency figures are unreliable, the ' +
          'server CPU per request less so',
      )
    }

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
