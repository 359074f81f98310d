// `rampart doctor`: checks configuration, certificate and database, and says what is wrong.
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'kysely'
import { type Config, ConfigError, parseConfig } from '../config/config.ts'
import { isDevCertificate, profileProblems } from '../config/profiles.ts'
import type { DatabaseHandle } from '../db/connection.ts'
import { pendingMigrations } from '../db/migrate.ts'
import { RUNTIME_ROLE_FIX, runtimeRoleProblems } from '../db/runtime-role.ts'
import { openConfiguredDatabase } from '../server.ts'
import type { CliIo } from './io.ts'

type Level = 'ok' | 'warn' | 'fail'
interface Finding {
  level: Level
  area: string
  message: string
}

const CERT_WARN_DAYS = 30

function checkCertificate(config: Config): Finding[] {
  if (config.plainHttp) {
    return [{ level: 'warn', area: 'tls', message: 'plain HTTP: TLS must end at a proxy in front' }]
  }
  const { certFile, keyFile } = config.tls
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    const dev = config.profile === 'dev' && certFile.startsWith(join(config.dataDir, 'tls', 'dev-'))
    return [
      {
        level: dev ? 'ok' : 'fail',
        area: 'tls',
        message: dev
          ? 'development certificate will be generated on first start'
          : `certificate or key missing: ${certFile}, ${keyFile}`,
      },
    ]
  }
  try {
    const cert = new X509Certificate(readFileSync(certFile))
    const findings: Finding[] = []
    const daysLeft = (Date.parse(cert.validTo) - Date.now()) / 86_400_000
    if (daysLeft < 0) {
      findings.push({ level: 'fail', area: 'tls', message: `certificate expired ${cert.validTo}` })
    } else if (daysLeft < CERT_WARN_DAYS) {
      findings.push({ level: 'warn', area: 'tls', message: `certificate expires ${cert.validTo}` })
    }
    if (!cert.checkPrivateKey(createPrivateKey(readFileSync(keyFile)))) {
      findings.push({
        level: 'fail',
        area: 'tls',
        message: 'private key does not match certificate',
      })
    }
    if (findings.length === 0) {
      const kind = isDevCertificate(certFile) ? 'development certificate' : 'certificate'
      findings.push({ level: 'ok', area: 'tls', message: `${kind} valid until ${cert.validTo}` })
    }
    return findings
  } catch (err) {
    return [{ level: 'fail', area: 'tls', message: `cannot read: ${(err as Error).message}` }]
  }
}

function checkDataDir(config: Config): Finding {
  try {
    mkdirSync(config.dataDir, { recursive: true })
    accessSync(config.dataDir, constants.W_OK)
    return { level: 'ok', area: 'data', message: `${config.dataDir} is writable` }
  } catch (err) {
    return { level: 'fail', area: 'data', message: `${config.dataDir}: ${(err as Error).message}` }
  }
}

async function checkDatabase(config: Config): Promise<Finding[]> {
  let db: DatabaseHandle
  try {
    db = await openConfiguredDatabase(config, 'owner')
  } catch (err) {
    return [{ level: 'fail', area: 'database', message: `cannot open: ${(err as Error).message}` }]
  }
  try {
    const { rows } = await sql<{ server_version: string }>`SHOW server_version`.execute(db.db)
    const version = rows[0]?.server_version ?? 'unknown'
    const findings: Finding[] = [
      { level: 'ok', area: 'database', message: `${db.kind} ${version} answers` },
    ]
    if (!(Number.parseInt(version, 10) >= 15)) {
      findings.push({ level: 'fail', area: 'database', message: 'PostgreSQL 15 or later needed' })
    }
    const pending = await pendingMigrations(db)
    findings.push(
      pending.length === 0
        ? { level: 'ok', area: 'migrations', message: 'schema up to date' }
        : {
            level: config.profile === 'prod' ? 'fail' : 'warn',
            area: 'migrations',
            message: `pending: ${pending.join(', ')} (run rampart migrate)`,
          },
    )
    if (pending.length === 0) findings.push(...(await checkIsolation(config, db.db)))
    if (!config.databaseMigrationUrl) {
      findings.push(...(await checkRuntimeLogin(config, db)))
    }
    return findings
  } catch (err) {
    return [{ level: 'fail', area: 'database', message: (err as Error).message }]
  } finally {
    await db.close()
  }
}

/** AUTHZ-5: the server's own login cannot step around row-level security. */
async function checkRuntimeLogin(config: Config, runtime?: DatabaseHandle): Promise<Finding[]> {
  let handle = runtime
  try {
    handle ??= await openConfiguredDatabase(config, 'runtime')
    const problems = await runtimeRoleProblems(handle)
    if (problems.length === 0) {
      const message =
        handle.kind === 'pglite'
          ? 'embedded database: one built-in role (dev only)'
          : 'runtime login can act only as the application role'
      return [{ level: 'ok', area: 'runtime login', message }]
    }
    return [
      {
        level: config.profile === 'prod' ? 'fail' : 'warn',
        area: 'runtime login',
        message: `${problems.join('; ')}: ${RUNTIME_ROLE_FIX}`,
      },
    ]
  } catch (err) {
    return [{ level: 'fail', area: 'runtime login', message: (err as Error).message }]
  } finally {
    if (!runtime) await handle?.close()
  }
}

/** AUTHZ-5: the application role cannot bypass RLS and every tenant table forces it. */
async function checkIsolation(config: Config, db: DatabaseHandle['db']): Promise<Finding[]> {
  const role = await sql<{ rolbypassrls: boolean; rolsuper: boolean }>`
    SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = ${config.databaseAppRole}`.execute(
    db,
  )
  const r = role.rows[0]
  if (!r) {
    return [{ level: 'fail', area: 'isolation', message: `role ${config.databaseAppRole} missing` }]
  }
  if (r.rolbypassrls || r.rolsuper) {
    return [
      { level: 'fail', area: 'isolation', message: `role ${config.databaseAppRole} bypasses RLS` },
    ]
  }
  const open = await sql<{ table_name: string }>`
    SELECT c.relname AS table_name FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
    WHERE c.relkind = 'r'
      AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a
        WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
      AND NOT (c.relrowsecurity AND c.relforcerowsecurity)`.execute(db)
  if (open.rows.length > 0) {
    return [
      {
        level: 'fail',
        area: 'isolation',
        message: `tenant tables without forced RLS: ${open.rows.map((t) => t.table_name).join(', ')}`,
      },
    ]
  }
  return [{ level: 'ok', area: 'isolation', message: 'forced row-level security on tenant tables' }]
}

export async function doctor(env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  let config: Config
  try {
    config = parseConfig(env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    io.out(`fail configuration: ${err.message}`)
    return 1
  }
  const findings: Finding[] = [
    { level: 'ok', area: 'configuration', message: `profile ${config.profile}` },
    ...profileProblems(config).map((m) => ({
      level: 'fail' as const,
      area: 'profile',
      message: m,
    })),
    ...checkCertificate(config),
    checkDataDir(config),
    ...(await checkDatabase(config)),
    ...(config.databaseMigrationUrl ? await checkRuntimeLogin(config) : []),
  ]
  for (const f of findings) io.out(`${f.level.padEnd(4)} ${f.area}: ${f.message}`)
  const failed = findings.filter((f) => f.level === 'fail').length
  io.out(failed === 0 ? 'all checks passed' : `${failed} problem(s) found`)
  return failed === 0 ? 0 : 1
}
