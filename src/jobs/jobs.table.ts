import type { Generated, Selectable } from 'kysely'

/** One row per job definition (platform level): its lease and its last run. */
export interface JobsTable {
  name: string
  /** Who runs it now (`host:pid:id`); null when nobody does. */
  lease_holder: string | null
  lease_expires_at: Date | null
  last_started_at: Date | null
  last_finished_at: Date | null
  last_outcome: 'success' | 'failure' | null
  /** The last failure's message, scrubbed of addresses, at most 500 characters. */
  last_error: string | null
  next_due_at: Date
  created_at: Generated<Date>
}

export type JobRow = Selectable<JobsTable>
