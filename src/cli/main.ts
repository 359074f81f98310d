// The `rampart` command line: serve, migrate, tenant create|list|shred, audit, keys, data, jobs, doctor.
import { Command, CommanderError } from 'commander'
import { type Config, ConfigError, loadConfig } from '../config/config.ts'
import { auditVerify } from './audit.ts'
import { type DataExportOptions, type DataImportOptions, dataExport, dataImport } from './data.ts'
import { doctor } from './doctor.ts'
import { type CliIo, processIo } from './io.ts'
import { jobsList, jobsRun } from './jobs.ts'
import {
  keysBackup,
  keysReencrypt,
  keysRetire,
  keysRewrap,
  keysRotate,
  keysShred,
  keysStatus,
} from './keys.ts'
import { migrate } from './migrate.ts'
import { serve } from './serve.ts'
import { type TenantShredOptions, tenantCreate, tenantList, tenantShred } from './tenant.ts'

/** Runs the command line; resolves to the process exit code. */
export async function main(
  argv: string[],
  io: CliIo = processIo,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  let code = 0
  const config = (): Config => loadConfig(env)
  const program = new Command('rampart')
    .description('Rampart: a multi-tenant SaaS platform whose security measures are running code')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    })

  program
    .command('serve')
    .description('start the HTTPS server (migrates the embedded database first in dev)')
    .action(async () => {
      code = await serve(config(), io)
    })

  program
    .command('migrate')
    .description('apply pending database migrations')
    .option('--status', 'list pending migrations and exit 1 if there are any')
    .action(async (options: { status?: boolean }) => {
      code = await migrate(config(), options, io)
    })

  const tenant = program.command('tenant').description('manage tenants (organisations)')
  tenant
    .command('create')
    .description('create an organisation and its owner')
    .requiredOption('--slug <slug>', 'organisation slug used at sign-in')
    .requiredOption('--name <name>', 'organisation name')
    .requiredOption('--owner-email <email>', "owner's e-mail address")
    .option('--region <region>', 'data region (DATA-6); the configured default otherwise')
    .option('--password-stdin', "read the owner's password from standard input")
    .action(async (options) => {
      code = await tenantCreate(config(), options, io)
    })
  tenant
    .command('list')
    .description('list every tenant')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      code = await tenantList(config(), options, io)
    })
  tenant
    .command('shred')
    .description(
      'delete a tenant (KMS-5): lock it now, then at the due date shred its key and delete its rows',
    )
    .argument('[slug]', 'the tenant (not with --due)')
    .option(
      '--delay <duration>',
      'time before the deletion is due: 0, 90s, 30m, 12h, 7d, 2w (default: RAMPART_TENANT_DELETION_DELAY_DAYS, 7 days)',
    )
    .option('--cancel', 'give a pending tenant back, before its deletion has begun')
    .option('--due', 'complete every deletion whose delay has passed')
    .option('--dry-run', 'with --due: list what would be completed, change nothing')
    .action(async (slug: string | undefined, options: TenantShredOptions) => {
      code = await tenantShred(config(), slug, options, io)
    })

  const audit = program.command('audit').description('the tamper-evident audit log (LOG-2)')
  audit
    .command('verify')
    .description('re-derive every log and check every stored and witnessed checkpoint')
    .option('--tenant <slug>', "only this tenant's log")
    .option('--witness <dir>', 'witness directory (default: RAMPART_AUDIT_WITNESS_DIR)')
    .action(async (options: { tenant?: string; witness?: string }) => {
      code = await auditVerify(config(), options, io)
    })

  const keys = program.command('keys').description('master and tenant keys (KMS-1, KMS-5)')
  keys
    .command('status')
    .description('the key provider, the key store, and each tenant key version with its use')
    .option('--tenant <slug>', 'only this tenant')
    .action(async (options: { tenant?: string }) => {
      code = await keysStatus(config(), options, io)
    })
  keys
    .command('rotate')
    .description("make a new version of a tenant's key for new writes; old versions still decrypt")
    .requiredOption('--tenant <slug>', 'the tenant')
    .action(async (options: { tenant: string }) => {
      code = await keysRotate(config(), options, io)
    })
  keys
    .command('rewrap')
    .description('create a new master key version and re-wrap every tenant key under it')
    .option('--destroy-old', 'then destroy master key versions nothing is wrapped under')
    .action(async (options: { destroyOld?: boolean }) => {
      code = await keysRewrap(config(), options, io)
    })
  keys
    .command('reencrypt')
    .description("move all of a tenant's encrypted fields to its newest key version (resumable)")
    .requiredOption('--tenant <slug>', 'the tenant')
    .option('--batch <n>', 'fields per transaction', '500')
    .action(async (options: { tenant: string; batch: string }) => {
      code = await keysReencrypt(config(), options, io)
    })
  keys
    .command('retire')
    .description('stop an old key version from decrypting, once no field uses it')
    .requiredOption('--tenant <slug>', 'the tenant')
    .requiredOption('--version <n>', 'the key version')
    .action(async (options: { tenant: string; version: string }) => {
      code = await keysRetire(config(), options, io)
    })
  keys
    .command('shred')
    .description("destroy every version of a tenant's key: its encrypted data becomes unreadable")
    .requiredOption('--tenant <slug>', 'the tenant')
    .option('--confirm <slug>', 'the slug again: shredding cannot be undone')
    .action(async (options: { tenant: string; confirm?: string }) => {
      code = await keysShred(config(), options, io)
    })
  keys
    .command('backup')
    .description('snapshot the key store (wrapped keys only) and prune snapshots past retention')
    .action(async () => {
      code = await keysBackup(config(), io)
    })

  const data = program.command('data').description("a collection's records: bulk import and export")
  data
    .command('import')
    .description(
      'import records from a CSV, NDJSON or JSON file in batches, as the operator (audited as system); exit 1 if rows were rejected',
    )
    .requiredOption('--tenant <slug>', 'the tenant')
    .requiredOption('--collection <id>', 'the collection')
    .requiredOption('--file <path>', 'the file to import')
    .option('--format <format>', 'csv, json or ndjson (default: from the file extension)')
    .option(
      '--atomic',
      'the whole file in one transaction: nothing is imported if any row is rejected',
    )
    .action(async (options: DataImportOptions) => {
      code = await dataImport(config(), options, io)
    })
  data
    .command('export')
    .description(
      "export a collection's live records, decrypted, as the operator (audited as system)",
    )
    .requiredOption('--tenant <slug>', 'the tenant')
    .requiredOption('--collection <id>', 'the collection')
    .option('--format <format>', 'csv, json or ndjson', 'csv')
    .option('--out <file>', 'write to this new file (0600) instead of standard output')
    .action(async (options: DataExportOptions) => {
      code = await dataExport(config(), options, io)
    })

  const jobs = program.command('jobs').description('leased background jobs (access reviews, ...)')
  jobs
    .command('list')
    .description('every job with its schedule, last run and outcome, next due time and holder')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      code = await jobsList(config(), options, io)
    })
  jobs
    .command('run')
    .description(
      "run one job now, taking its lease (exit 75 while another node runs it, 2 if there's no such job)",
    )
    .argument('<name>', 'the job, as `rampart jobs list` names it')
    .action(async (name: string) => {
      code = await jobsRun(config(), name, io)
    })

  program
    .command('doctor')
    .description('check configuration, certificate and database, and say what is wrong')
    .action(async () => {
      code = await doctor(env, io)
    })

  try {
    await program.parseAsync(argv)
    return code
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode
    if (err instanceof ConfigError) {
      io.err(`configuration error: ${err.message}`)
      return 78 // EX_CONFIG
    }
    io.err(`error: ${(err as Error).message}`)
    return 1
  }
}
