// AV-1, SEC-7, LOG-2: the `rampart` command line: migrate, tenant create|list, audit verify,
// doctor, and serve's graceful shutdown.
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgresDatabase, postgresUrl } from '../../test/support/database.ts'
import { openDatabase, pgliteDirFor } from '../db/connection.ts'
import type { CliIo } from './io.ts'
import { main } from './main.ts'

interface Run {
  code: number
  out: string[]
  err: string[]
}

let env: Record<string, string>
let dropDatabase: (() => Promise<void>) | undefined

beforeAll(async () => {
  env = {
    RAMPART_DATA_DIR: mkdtempSync(join(tmpdir(), 'rampart-cli-')),
    RAMPART_LOG_LEVEL: 'silent',
  }
  if (postgresUrl) {
    const created = await createPostgresDatabase()
    env.RAMPART_DATABASE_URL = created.url
    dropDatabase = created.drop
  }
})
afterAll(() => dropDatabase?.())

async function rampart(
  args: string[],
  extraEnv: Record<string, string> = {},
  stdin = '',
): Promise<Run> {
  const out: string[] = []
  const err: string[] = []
  const io: CliIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    readStdin: async () => stdin,
  }
  const code = await main(['node', 'rampart', ...args], io, { ...env, ...extraEnv })
  return { code, out, err }
}

describe('rampart migrate', () => {
  it('applies the migrations once, then reports the schema up to date', async () => {
    const first = await rampart(['migrate'])
    expect(first.code).toBe(0)
    expect(first.out.join('\n')).toMatch(/^applied: \d{8}T\d{4}_foundation/)
    const status = await rampart(['migrate', '--status'])
    expect(status).toMatchObject({ code: 0, out: ['up to date'] })
    expect((await rampart(['migrate'])).out).toEqual(['up to date'])
  })
})

describe('rampart tenant', () => {
  it('creates a tenant with a generated owner password printed once', async () => {
    const run = await rampart([
      'tenant',
      'create',
      '--slug',
      'cli-acme',
      '--name',
      'CLI Acme',
      '--owner-email',
      'owner@cli-acme.example',
    ])
    expect(run.code).toBe(0)
    expect(run.out[0]).toMatch(/^created tenant cli-acme \([0-9a-f-]{36}\) in region eu$/)
    expect(run.out[2]).toMatch(/^owner password: [A-Za-z0-9_-]{24}$/)
  })

  it('creates a tenant with the password read from standard input', async () => {
    const run = await rampart(
      [
        'tenant',
        'create',
        '--slug',
        'cli-stdin',
        '--name',
        'Stdin',
        '--owner-email',
        'o@stdin.example',
        '--password-stdin',
      ],
      {},
      'velvet-Harbour-71-quietly-Orbit\n',
    )
    expect(run.code).toBe(0)
    expect(run.out.join('\n')).not.toContain('owner password')
  })

  it('refuses a taken slug and a weak password with the error code, exit 1', async () => {
    const taken = await rampart([
      'tenant',
      'create',
      '--slug',
      'cli-acme',
      '--name',
      'X',
      '--owner-email',
      'x@x.example',
    ])
    expect(taken.code).toBe(1)
    expect(taken.err.join('\n')).toContain('TENANT_SLUG_TAKEN')
    const weak = await rampart(
      [
        'tenant',
        'create',
        '--slug',
        'cli-weak',
        '--name',
        'W',
        '--owner-email',
        'w@w.example',
        '--password-stdin',
      ],
      {},
      'password',
    )
    expect(weak.code).toBe(1)
    expect(weak.err.join('\n')).toContain('IDENTITY_PASSWORD_TOO_SHORT')
  })

  it('lists tenants as text and JSON', async () => {
    const text = await rampart(['tenant', 'list'])
    expect(text.code).toBe(0)
    expect(text.out.some((l) => l.startsWith('cli-acme\t'))).toBe(true)
    const json = await rampart(['tenant', 'list', '--json'])
    const tenants = JSON.parse(json.out.join('')) as { slug: string; region: string }[]
    expect(tenants.map((t) => t.slug)).toEqual(expect.arrayContaining(['cli-acme', 'cli-stdin']))
  })

  it('a missing required option exits non-zero with usage on stderr', async () => {
    const run = await rampart(['tenant', 'create', '--slug', 'x'])
    expect(run.code).not.toBe(0)
    expect(run.err.join('\n')).toContain("required option '--name <name>' not specified")
  })
})

describe('rampart audit verify', () => {
  it('LOG-2: verifies the logs the CLI wrote, and exits 1 naming the first bad index after tampering', async () => {
    const ok = await rampart(['audit', 'verify'])
    expect(ok.code).toBe(0)
    expect(ok.out.at(-1)).toMatch(/^all \d+ logs verified$/)
    expect(ok.out.some((l) => /^ok {3}[0-9a-f-]{36}: 3 entries/.test(l))).toBe(true)

    const tenant = JSON.parse((await rampart(['tenant', 'list', '--json'])).out.join('')).find(
      (t: { slug: string }) => t.slug === 'cli-acme',
    ) as { id: string }
    const db = await openDatabase({
      ...(env.RAMPART_DATABASE_URL
        ? { databaseUrl: env.RAMPART_DATABASE_URL }
        : { pgliteDir: pgliteDirFor(env.RAMPART_DATA_DIR as string) }),
      appRole: 'rampart_app',
    })
    // LOG-1: an organisation made by the operator's CLI is recorded as the system's doing.
    const first = await db.db
      .selectFrom('audit_entries')
      .select('event')
      .where('tenant_id', '=', tenant.id)
      .where('idx', '=', '0')
      .executeTakeFirstOrThrow()
    expect(JSON.parse(first.event)).toMatchObject({
      action: 'tenant.create',
      actor: { type: 'system' },
    })
    await sql`UPDATE audit_entries SET event = replace(event, 'tenant.create', 'tenant.delete')
      WHERE tenant_id = ${tenant.id} AND idx = 0`.execute(db.db)
    await db.close()

    const bad = await rampart(['audit', 'verify', '--tenant', 'cli-acme'])
    expect(bad.code).toBe(1)
    expect(bad.out[0]).toBe(`FAIL ${tenant.id}: entry 0 was altered (first bad index 0)`)
    const unknown = await rampart(['audit', 'verify', '--tenant', 'no-such-tenant'])
    expect(unknown.code).toBe(1)
  })
})

describe('rampart doctor', () => {
  it('passes on a healthy dev setup and reports forced RLS', async () => {
    const run = await rampart(['doctor'])
    expect(run.out.join('\n')).toContain(
      'ok   isolation: forced row-level security on tenant tables',
    )
    expect(run.out.at(-1)).toBe('all checks passed')
    expect(run.code).toBe(0)
  })

  it('SEC-7: in prod, names each problem with what to set', async () => {
    const run = await rampart(['doctor'], { RAMPART_PROFILE: 'prod', RAMPART_DATABASE_URL: '' })
    const text = run.out.join('\n')
    expect(run.code).toBe(1)
    expect(text).toContain('fail profile: prod needs PostgreSQL: set RAMPART_DATABASE_URL')
    expect(text).toContain('set RAMPART_TLS_CERT_FILE and RAMPART_TLS_KEY_FILE')
    expect(text).toContain('set RAMPART_KEY_PROVIDER=pkcs11')
  })
})

describe('rampart serve', () => {
  it('SEC-7: prod refuses to start on insecure settings, one line per problem, exit 78', async () => {
    const run = await rampart(['serve'], {
      RAMPART_PROFILE: 'prod',
      RAMPART_DATABASE_URL: '',
      RAMPART_PLAIN_HTTP: 'true',
    })
    expect(run.code).toBe(78)
    const text = run.err.join('\n')
    expect(text).toContain('prod needs PostgreSQL: set RAMPART_DATABASE_URL')
    expect(text).toContain('prod serves HTTPS only: unset RAMPART_PLAIN_HTTP')
    expect(text).toContain('prod needs a real certificate')
    expect(text).toContain('prod refuses the development master key file')
  })

  it('AV-1: stops cleanly on SIGTERM with exit code 0', async () => {
    const child = spawn(process.execPath, ['bin/rampart.js', 'serve'], {
      env: {
        ...process.env,
        ...env,
        RAMPART_HOST: '127.0.0.1',
        RAMPART_PORT: '0',
        RAMPART_HTTP_REDIRECT_PORT: '0',
        RAMPART_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const listening = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        if (output.includes('Rampart listening')) resolve()
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
      child.once('exit', () => reject(new Error(`exited early: ${output}`)))
    })
    await listening
    const exited = new Promise<string>((resolve) =>
      child.once('exit', (code, signal) => resolve(`${code} ${signal}`)),
    )
    child.kill('SIGTERM')
    expect(await exited, output).toBe('0 null')
    expect(output).toContain('shutting down')
  }, 60_000)
})
