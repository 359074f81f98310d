// CPU accounting from /proc (Linux only; elsewhere every figure is null): how busy the whole
// machine is, and how much CPU one process has used. On a small shared machine, a server's CPU
// time per request is a steadier figure than its throughput, which other load easily disturbs.
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'

const CLOCK_TICKS_PER_SECOND = 100

function readProc(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null
  const stat = readProc(`/proc/${pid}/stat`)
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')
  const user = Number(fields?.[11])
  const system = Number(fields?.[12])
  if (!Number.isFinite(user) || !Number.isFinite(system)) return null
  return ((user + system) * 1000) / CLOCK_TICKS_PER_SECOND
}

function machineTicks(): { idle: number; total: number } | null {
  const line = readProc('/proc/stat')?.split('\n', 1)[0]
  if (!line?.startsWith('cpu ')) return null
  const ticks = line.trim().split(/\s+/).slice(1).map(Number)
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0)
  return { idle, total: ticks.reduce((sum, t) => sum + t, 0) }
}

/** CPU time (user + system) each process has used so far, in milliseconds; gone ones left out. */
export function processesCpuMs(pids: readonly number[]): Map<number, number> {
  const used = new Map<number, number>()
  for (const pid of pids) {
    const ms = processCpuMs(pid)
    if (ms !== null) used.set(pid, ms)
  }
  return used
}

/** CPU time used between two readings by the processes present in both, in milliseconds. */
export function cpuUsedBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0
  for (const [pid, ms] of after) {
    const start = before.get(pid)
    if (start !== undefined) sum += ms - start
  }
  return sum
}

/** Busy CPU time of the whole machine so far (all CPUs), in milliseconds; null off Linux. */
export function machineBusyMs(): number | null {
  const ticks = machineTicks()
  return ticks ? ((ticks.total - ticks.idle) * 1000) / CLOCK_TICKS_PER_SECOND : null
}

/** Share of the machine's CPU left idle over `ms` milliseconds (0–1), or null off Linux. */
export async function idleShare(ms: number): Promise<number | null> {
  const before = machineTicks()
  await sleep(ms)
  const after = machineTicks()
  if (!before || !after || after.total === before.total) return null
  return (after.idle - before.idle) / (after.total - before.total)
}

/**
 * Waits until the machine is mostly idle (other work would skew the figures), for at most
 * `maxWaitMs`. Returns the last idle share seen, or null where it cannot be measured.
 */
export async function waitForQuietMachine(
  minIdle: number,
  maxWaitMs: number,
): Promise<number | null> {
  const deadline = Date.now() + maxWaitMs
  for (;;) {
    const idle = await idleShare(1_000)
    if (idle === null || idle >= minIdle || Date.now() >= deadline) return idle
  }
}

/** This process's CPU time and the machine's busy time at one moment (single-process benches). */
export interface LoadReading {
  atMs: number
  selfMs: number
  machineBusyMs: number | null
}

export function readLoad(): LoadReading {
  const usage = process.cpuUsage()
  return {
    atMs: performance.now(),
    selfMs: (usage.user + usage.system) / 1000,
    machineBusyMs: machineBusyMs(),
  }
}

/**
 * Share of the machine's CPU (all cores) used between two readings by anything but this
 * process (0–1), or null off Linux: the other load that a benchmark's figures suffered.
 */
export function otherLoadBetween(before: LoadReading, after: LoadReading): number | null {
  if (after.machineBusyMs === null || before.machineBusyMs === null) return null
  const busy = after.machineBusyMs - before.machineBusyMs
  const capacity = (after.atMs - before.atMs) * cpus().length
  return capacity <= 0 ? null : Math.max(0, busy - (after.selfMs - before.selfMs)) / capacity
}
