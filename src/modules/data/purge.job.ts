// DATA-4: the `data-purge` job (src/jobs/registry.ts): hourly, deletes for good the collections
// and records whose deletion lock ran out (`rampart jobs run data-purge` runs it at once).
import type { JobDefinition } from '../../jobs/job.ts'
import { describePurgeReport, purgeDueData } from './purge.service.ts'

export const dataPurgeJob: JobDefinition = {
  name: 'data-purge',
  description: 'Purge deleted collections and records whose lock has run out (DATA-4)',
  schedule: { everyMs: 3_600_000 },
  async run(ctx) {
    const report = await purgeDueData(ctx, { signal: ctx.signal, log: ctx.log })
    const summary = describePurgeReport(report)
    // Recorded as the run's failure, so `rampart jobs list` shows it; the rest were served.
    if (report.failed > 0) throw new Error(`${summary}; ${report.failed} organisation(s) failed`)
    return summary
  },
}
