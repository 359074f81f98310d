// When a job is due: a fixed pause after each run, or the next time a cron pattern names (croner).
import { Cron } from 'croner'
import type { JobSchedule } from './job.ts'

const MIN_EVERY_MS = 100

function cronOf(schedule: { cron: string; timezone?: string }): Cron {
  // No callback, so nothing is scheduled: the object only computes times.
  return new Cron(schedule.cron, { paused: true, timezone: schedule.timezone ?? 'UTC' })
}

/** Throws a RangeError naming what is wrong with a schedule; programming errors, at start. */
export function assertValidSchedule(name: string, schedule: JobSchedule): void {
  if ('everyMs' in schedule) {
    if (!Number.isSafeInteger(schedule.everyMs) || schedule.everyMs < MIN_EVERY_MS) {
      throw new RangeError(`job ${name}: everyMs must be a whole number >= ${MIN_EVERY_MS}`)
    }
    return
  }
  try {
    if (!cronOf(schedule).nextRun()) throw new Error('the pattern never matches')
  } catch (err) {
    throw new RangeError(`job ${name}: bad cron pattern: ${(err as Error).message}`)
  }
}

/** The next due time after a run that finished at `after`. */
export function nextDueAfter(schedule: JobSchedule, after: Date): Date {
  if ('everyMs' in schedule) return new Date(after.getTime() + schedule.everyMs)
  // A pattern that stops matching (a year in the past) leaves the job due never: in a year.
  return cronOf(schedule).nextRun(after) ?? new Date(after.getTime() + 365 * 86_400_000)
}

/**
 * When a job seen for the first time is due: at once for an interval (it has never run), at the
 * pattern's next time for a cron job.
 */
export function firstDue(schedule: JobSchedule, now: Date): Date {
  return 'everyMs' in schedule ? now : nextDueAfter(schedule, now)
}

const UNITS: [number, string][] = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'm'],
  [1_000, 's'],
]

/** `every 1h`, `every 90s`, `cron 0 3 * * * (UTC)`. */
export function describeSchedule(schedule: JobSchedule): string {
  if ('cron' in schedule) return `cron ${schedule.cron} (${schedule.timezone ?? 'UTC'})`
  const ms = schedule.everyMs
  const unit = UNITS.find(([size]) => ms % size === 0)
  return unit ? `every ${ms / unit[0]}${unit[1]}` : `every ${ms}ms`
}
