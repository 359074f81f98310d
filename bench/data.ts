// `npm run bench -- data`: the tenant-data benchmarks together (DATA-1, KMS-2, AUTHZ-3): record
// reads with three personal fields decrypted against the same reads of plain values, dashboard
// widgets over 1,000,000 records on PostgreSQL with the kiosk page look-up, and a 100,000-row
// CSV import. Each prints its own baseline from the same run; `data-records`, `data-dashboards`
// and `data-import` run one part alone.
import { runDataDashboardsBenchmark } from './data-dashboards.ts'
import { runDataImportBenchmark } from './data-import.ts'
import { runDataRecordsBenchmark } from './data-records.ts'

export async function runDataBenchmark(): Promise<void> {
  await runDataRecordsBenchmark()
  await runDataDashboardsBenchmark()
  await runDataImportBenchmark()
}
