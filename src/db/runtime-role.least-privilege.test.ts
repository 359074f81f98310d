// AUTHZ-5: a server connected as a login granted only the application role works end to end, and
// SQL run on that login cannot leave the application role to step around row-level security.
// PostgreSQL only: the embedded database has a single built-in superuser and no logins, so on
// PGlite this suite does not run (prod refuses PGlite, SEC-7).
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import pg from 'pg'
import { generate } from 'selfsigned'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signInBearer, signUp, testConfig } from '../../test/support/app.ts'
import { TEST_APP_ROLE } from '../../test/support/constants.ts'
import { createPostgresDatabase, postgresUrl } from '../../test/support/database.ts'
import { buildApp } from '../app.ts'
import { main } from '../cli/main.ts'
import { loadConfig } from '../config/config.ts'
import { startServer } from '../server.ts'
import { type DatabaseHandle, openDatabase } from './connection.ts'
import { migrateToLatest } from './migrate.ts'
import { runtimeRoleProblems } from './runtime-role.ts'
import { withTenant } from './tenant.ts'

describe.runIf(postgresUrl)('least-privilege runtime login (PostgreSQL)', () => {
  const login = `rampart_login_${randomBytes(4).toString('hex')}`
  let ownerUrl: string
  let loginUrl: string
  let drop: () => Promise<void>
  let owner: DatabaseHandle
  let runtime: DatabaseHandle

  async function admin(statement: string) {
    const client = new pg.Client({ connectionString: postgresUrl })
    await client.connect()
    try {
      await client.query(statement)
    } finally {
      await client.end()
    }
  }

  beforeAll(async () => {
    const created = await createPostgresDatabase()
    ownerUrl = created.url
    drop = created.drop
    owner = await openDatabase({ databaseUrl: ownerUrl, appRole: TEST_APP_ROLE })
    await migrateToLatest(owner)
    await admin(`CREATE ROLE ${login} LOGIN NOSUPERUSER NOBYPASSRLS`)
    await admin(`GRANT ${TEST_APP_ROLE} TO ${login}`)
    const url = new URL(ownerUrl)
    url.username = login
    loginUrl = url.toString()
    runtime = await openDatabase({ databaseUrl: loginUrl, appRole: TEST_APP_ROLE })
  })
  afterAll(async () => {
    await runtime?.close()
    await owner?.close()
    await drop?.()
    await admin(`DROP ROLE IF EXISTS ${login}`)
  })

  it('AUTHZ-5: sign-up, sign-in and /me work on a login that holds only the application role', async () => {
    const app = await buildApp({ config: testConfig(), db: runtime, logger: false })
    try {
      const acme = await signUp(app)
      const bearer = await signInBearer(app, acme)
      const me = await app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: bearer.authorization,
      })
      expect(me.statusCode).toBe(200)
      expect(me.json().tenant.id).toBe(acme.tenant.id)
      expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200)
    } finally {
      // The app's onClose would close the shared handle; keep it for the next tests.
      runtime = await openDatabase({ databaseUrl: loginUrl, appRole: TEST_APP_ROLE })
      await app.close()
    }
  })

  it('AUTHZ-5: injected RESET ROLE, SET ROLE or DDL on the runtime login gains nothing', async () => {
    const tenants = await owner.db.selectFrom('tenants').select('id').execute()
    expect(tenants.length).toBeGreaterThan(0)
    const first = tenants[0]?.id as string
    // RESET ROLE lands on the login itself, which is bound by the same policies.
    const others = await withTenant(runtime, first, async (trx) => {
      await sql`RESET ROLE`.execute(trx)
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM users WHERE tenant_id <> ${first}`.execute(trx)
      return rows[0]?.n
    })
    expect(others).toBe(0)
    const escalate = withTenant(runtime, first, (trx) => sql`SET LOCAL ROLE postgres`.execute(trx))
    await expect(escalate).rejects.toMatchObject({ code: '42501' })
    const disable = sql`ALTER TABLE users NO FORCE ROW LEVEL SECURITY`.execute(runtime.db)
    await expect(disable).rejects.toMatchObject({ code: '42501' })
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tenants`.execute(
      runtime.db,
    )
    expect(rows[0]?.n).toBe(0)
  })

  it('AUTHZ-5: the runtime check passes the restricted login and flags the owner', async () => {
    expect(await runtimeRoleProblems(runtime)).toEqual([])
    const problems = await runtimeRoleProblems(owner)
    expect(problems.join('\n')).toMatch(/superuser|owns the schema's tables/)
  })

  it('flags a login that was never granted the application role', async () => {
    const bare = `${login}_bare`
    await admin(`CREATE ROLE ${bare} LOGIN`)
    const url = new URL(ownerUrl)
    url.username = bare
    const handle = await openDatabase({ databaseUrl: url.toString(), appRole: TEST_APP_ROLE })
    try {
      expect(await runtimeRoleProblems(handle)).toEqual([
        `runtime login ${bare} is not granted ${TEST_APP_ROLE}`,
      ])
    } finally {
      await handle.close()
      await admin(`DROP ROLE ${bare}`)
    }
  })

  it('AUTHZ-5: prod refuses to serve on a login that can bypass row-level security', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-prod-'))
    const pems = await generate([{ name: 'commonName', value: 'rampart.example.com' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
    })
    writeFileSync(join(dir, 'cert.pem'), pems.cert)
    writeFileSync(join(dir, 'key.pem'), pems.private)
    // Tenant keys in a database of their own, as prod requires (KMS-1). The master key file is
    // allowed here: this test is about the runtime login, and the PKCS#11 path has its own.
    const keystore = await createPostgresDatabase()
    const prod = (env: Record<string, string>) =>
      loadConfig({
        RAMPART_PROFILE: 'prod',
        RAMPART_DATA_DIR: dir,
        RAMPART_HOST: '127.0.0.1',
        RAMPART_PORT: '0',
        RAMPART_HTTP_REDIRECT_PORT: '0',
        RAMPART_PUBLIC_URL: 'https://rampart.example.com',
        RAMPART_METRICS_TOKEN: 'a-long-random-metrics-token',
        RAMPART_TLS_CERT_FILE: join(dir, 'cert.pem'),
        RAMPART_TLS_KEY_FILE: join(dir, 'key.pem'),
        RAMPART_KEY_PROVIDER: 'file',
        RAMPART_ALLOW_FILE_KEY_PROVIDER: 'true',
        RAMPART_KEYSTORE_URL: keystore.url,
        // Nothing is queued, so nothing is sent; prod only needs an SMTP server named.
        RAMPART_SMTP_URL: 'smtp://127.0.0.1:9',
        RAMPART_LOG_LEVEL: 'silent',
        ...env,
      })
    await expect(startServer(prod({ RAMPART_DATABASE_URL: ownerUrl }))).rejects.toThrow(
      /prod refuses: runtime login postgres is a superuser.*set RAMPART_DATABASE_URL to a login granted only the application role/,
    )
    const running = await startServer(
      prod({ RAMPART_DATABASE_URL: loginUrl, RAMPART_DATABASE_MIGRATION_URL: ownerUrl }),
    )
    await running.stop()
    await keystore.drop()
  })

  it('rampart doctor reports the runtime login: warn as owner, ok when restricted', async () => {
    const run = async (env: Record<string, string>) => {
      const out: string[] = []
      await main(
        ['node', 'rampart', 'doctor'],
        { out: (l) => out.push(l), err: () => {}, readStdin: async () => '' },
        {
          RAMPART_DATA_DIR: mkdtempSync(join(tmpdir(), 'rampart-doctor-')),
          ...env,
        },
      )
      return out.join('\n')
    }
    expect(await run({ RAMPART_DATABASE_URL: ownerUrl })).toMatch(/warn runtime login: .*superuser/)
    expect(
      await run({ RAMPART_DATABASE_URL: loginUrl, RAMPART_DATABASE_MIGRATION_URL: ownerUrl }),
    ).toContain('ok   runtime login: runtime login can act only as the application role')
  })
})
