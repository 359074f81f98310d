// Every job Rampart runs. To add one: a definition here, with its work in its module's service.
// The mail delivery loop and the audit checkpointer still run on their own timers on every node
// (src/server.ts); they could become entries here with a transport or a signer in their closure,
// though mail delivery is meant to run on every node at once (each mail is claimed on its own).
import {
  describeScheduleReport,
  runReviewSchedule,
} from '../modules/access/access-reviews.schedule.ts'
import { dataPurgeJob } from '../modules/data/purge.job.ts'
import type { JobDefinition } from './job.ts'

const HOUR_MS = 3_600_000

/** AUTHZ-4: opens due access reviews and reminds of overdue ones. */
const accessReviewsJob: JobDefinition = {
  name: 'access-reviews',
  description: 'Open access reviews that are due and remind reviewers of overdue ones (AUTHZ-4)',
  schedule: { everyMs: HOUR_MS },
  async run(ctx) {
    const report = await runReviewSchedule(ctx, { signal: ctx.signal, log: ctx.log })
    const summary = describeScheduleReport(report)
    // Recorded as the run's failure, so `rampart jobs list` shows it; the rest were served.
    if (report.failed > 0) throw new Error(`${summary}; ${report.failed} organisation(s) failed`)
    return summary
  },
}

export function rampartJobs(): JobDefinition[] {
  return [accessReviewsJob, dataPurgeJob]
}

export function findJobDefinition(name: string): JobDefinition | undefined {
  return rampartJobs().find((job) => job.name === name)
}
