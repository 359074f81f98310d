// `npm run bench [name]`: runs every benchmark, or only the one named.
import { runAuditBenchmark } from './audit.ts'
import { runCryptoBenchmark } from './crypto.ts'
import { runDataBenchmark } from './data.ts'
import { runDataDashboardsBenchmark } from './data-dashboards.ts'
import { runDataImportBenchmark } from './data-import.ts'
import { runDataRecordsBenchmark } from './data-records.ts'
import { runHttpBenchmark } from './http.ts'

const BENCHMARKS: Record<string, () => Promise<void>> = {
  http: runHttpBenchmark,
  audit: runAuditBenchmark,
  crypto: runCryptoBenchmark,
  data: runDataBenchmark,
  'data-records': runDataRecordsBenchmark,
  'data-dashboards': runDataDashboardsBenchmark,
  'data-import': runDataImportBenchmark,
}

async function main(): Promise<number> {
  const args = process.argv.slice(2)
  const names = Object.keys(BENCHMARKS)
  if (args.length > 1) {
    console.error(`usage: npm run bench [-- <name>]; names: ${names.join(', ')}`)
    return 2
  }
  const wanted = args[0]
  const selected = wanted === undefined ? names : [wanted]
  for (const name of selected) {
    const benchmark = BENCHMARKS[name]
    if (!benchmark) {
      console.error(`unknown benchmark "${name}"; names: ${names.join(', ')}`)
      return 2
    }
    console.log(`== bench ${name}`)
    await benchmark()
  }
  return 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    console.error('benchmark failed:', err)
    process.exitCode = 1
  },
)
