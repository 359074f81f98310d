// Jobs: named units of background work that the leased runner schedules. A job runs on one node
// at a time, whichever of several nodes sharing the database claims its lease first (AV-3).
import type { ServiceContext } from '../context.ts'

/** Every `everyMs` after the previous run finished, or at the times a cron pattern names. */
export type JobSchedule =
  | { everyMs: number }
  | {
      /** Five or six fields (seconds first when six), read by croner. */
      cron: string
      /** IANA time zone the pattern is read in; UTC when absent, the same on every node. */
      timezone?: string
    }

/** Where jobs and the runner report (the server's logger, or the CLI's standard error). */
export interface JobLog {
  info(details: object, message: string): void
  warn(details: object, message: string): void
  error(details: object, message: string): void
}

export interface JobContext extends ServiceContext {
  /**
   * Aborted when the lease was lost to another node or the runner is stopping: stop at the next
   * point where stopping leaves nothing half done (between tenants, between batches).
   */
  signal: AbortSignal
  log: JobLog
}

export interface JobDefinition {
  /** Lower case, digits and dashes: `access-reviews`. The jobs table's key. */
  name: string
  description: string
  schedule: JobSchedule
  /**
   * How long a claim lasts unless renewed; the runner renews it every third of this while the
   * job runs, so only a node that died (or lost the database) lets it run out. 5 minutes if unset.
   */
  leaseMs?: number
  /** Does the work; resolves to a one-line summary for the CLI and the logs. */
  run(ctx: JobContext): Promise<string | undefined>
}

export const JOB_NAME = /^[a-z][a-z0-9-]{0,62}$/

export const DEFAULT_LEASE_MS = 5 * 60_000
