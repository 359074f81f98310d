// KMS-5, BCK-3: a copy of the database taken before `rampart tenant shred` still holds the shredded
// tenant's ciphertext once restored, but none of it decrypts with the key store that survives
// (`tenant_shredded`), while another tenant's data in the same copy still does.
import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { signInBearer, signUp } from '../../test/support/app.ts'
import { cliHarness } from '../../test/support/cli.ts'
import { postgresUrl } from '../../test/support/database.ts'
import { buildApp } from '../app.ts'
import { type Config, parseConfig } from '../config/config.ts'
import type { ServiceContext } from '../context.ts'
import { decryptField } from '../crypto/field-encryption.ts'
import { type KeyServices, openKeyServices } from '../crypto/key-services.ts'
import { type DatabaseHandle, pgliteDirFor } from '../db/connection.ts'
import { useCredential } from '../modules/vault/vault.service.ts'
import { openConfiguredDatabase } from '../server.ts'

const cli = cliHarness('shred-backup')
const rampart = cli.run
/** The restored copies this suite makes on PostgreSQL, dropped afterwards. */
const drops: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const drop of drops) await drop()
})

interface Running {
  ctx: ServiceContext
  db: DatabaseHandle
  keys: KeyServices
  close(): Promise<void>
}

/** The database and key store of `config`, opened as the server opens them. */
async function open(config: Config): Promise<Running> {
  const db = await openConfiguredDatabase(config, 'runtime')
  const keys = await openKeyServices(config.keys)
  return {
    ctx: { config, db, keys: keys.keyring },
    db,
    keys,
    async close() {
      await keys.close()
      await db.close()
    },
  }
}

/**
 * A cold copy of the main database, as a backup would be, taken while nothing is connected: the
 * PGlite data directory copied, or a PostgreSQL database made from it as a template. Returns the
 * settings that open the copy with the same master key and key store as the original.
 */
async function backUpDatabase(config: Config): Promise<Record<string, string>> {
  const same = {
    RAMPART_MASTER_KEY_FILE: config.keys.masterKeyFile,
    RAMPART_KEYSTORE_DIR: config.keys.storeDir,
  }
  if (!cli.env().RAMPART_DATABASE_URL) {
    const dataDir = mkdtempSync(join(tmpdir(), 'rampart-restored-'))
    cpSync(pgliteDirFor(config.dataDir), pgliteDirFor(dataDir), { recursive: true })
    return { ...cli.env(), ...same, RAMPART_DATA_DIR: dataDir }
  }
  const source = new URL(cli.env().RAMPART_DATABASE_URL as string)
  const copy = `${source.pathname.slice(1)}_copy`
  const admin = new pg.Client({ connectionString: postgresUrl })
  await admin.connect()
  try {
    // A closed pool's backends can take a moment to go; CREATE DATABASE refuses until they have.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${copy} TEMPLATE ${source.pathname.slice(1)}`)
        break
      } catch (err) {
        if (attempt >= 20) throw err
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    }
  } finally {
    await admin.end()
  }
  drops.push(async () => {
    const c = new pg.Client({ connectionString: postgresUrl })
    await c.connect()
    await c.query(`DROP DATABASE IF EXISTS ${copy} WITH (FORCE)`).finally(() => c.end())
  })
  const url = new URL(source)
  url.pathname = `/${copy}`
  return { ...cli.env(), ...same, RAMPART_DATABASE_URL: url.toString() }
}

describe('crypto-shredding reaches database backups', () => {
  // Each command opens the database afresh (PGlite from disk): slow, not stuck, hence the timeout.
  it('KMS-5: a restored pre-shred copy holds the ciphertext, which no longer decrypts', async () => {
    expect((await rampart(['migrate'])).code).toBe(0)
    const config = parseConfig(cli.env())

    // Two organisations store a secret each through the API.
    const live = await open(config)
    const app = await buildApp({ config, db: live.db, logger: false, keys: live.keys })
    await app.ready()
    const stored: { tenantId: string; slug: string; credentialId: string; ciphertext: Buffer }[] =
      []
    try {
      for (const name of ['doomed', 'kept']) {
        const org = await signUp(app, { slug: `backup-${name}` })
        const owner = await signInBearer(app, org)
        const res = await app.inject({
          method: 'POST',
          url: '/api/v1/credentials',
          headers: owner.authorization,
          payload: { name: 'crm', kind: 'api_key', secret: { key: `${name}-api-key` } },
        })
        expect(res.statusCode).toBe(201)
        const row = await live.db.db
          .selectFrom('credentials')
          .select('secret')
          .where('id', '=', res.json().id)
          .executeTakeFirstOrThrow()
        stored.push({
          tenantId: org.tenant.id,
          slug: org.tenant.slug,
          credentialId: res.json().id,
          ciphertext: Buffer.from(row.secret),
        })
      }
    } finally {
      await app.close()
      await live.close()
    }
    const [doomed, kept] = stored as [(typeof stored)[0], (typeof stored)[0]]

    const restoredEnv = await backUpDatabase(config)

    // Shred and complete at once.
    expect((await rampart(['tenant', 'shred', doomed.slug, '--delay', '0'])).code).toBe(0)
    const sweep = await rampart(['tenant', 'shred', '--due'])
    expect(sweep.code).toBe(0)
    expect(sweep.out.at(-1)).toBe('1 deletion(s) completed')

    // The live database no longer holds the tenant's rows.
    const after = await open(config)
    try {
      const rows = await after.db.db
        .selectFrom('credentials')
        .select('id')
        .where('tenant_id', '=', doomed.tenantId)
        .execute()
      expect(rows).toEqual([])
    } finally {
      await after.close()
    }

    // Restore the copy, with the key store as it is now.
    const restored = await open(parseConfig(restoredEnv))
    try {
      const row = await restored.db.db
        .selectFrom('credentials')
        .select('secret')
        .where('id', '=', doomed.credentialId)
        .executeTakeFirstOrThrow()
      // The ciphertext came back with the backup, byte for byte...
      expect(Buffer.from(row.secret).equals(doomed.ciphertext)).toBe(true)
      // ...and nothing can decrypt it: the key store says the tenant is shredded.
      const ref = {
        tenantId: doomed.tenantId,
        table: 'credentials',
        column: 'secret',
        rowId: doomed.credentialId,
      }
      await expect(decryptField(restored.keys.keyring, ref, row.secret)).rejects.toMatchObject({
        name: 'KmsError',
        reason: 'tenant_shredded',
      })
      let handedOut = false
      await expect(
        useCredential(
          restored.ctx,
          doomed.tenantId,
          doomed.credentialId,
          'test.restore',
          async () => {
            handedOut = true
          },
        ),
      ).rejects.toMatchObject({
        code: 'VAULT_SECRET_UNREADABLE',
        details: { reason: 'tenant_shredded' },
      })
      expect(handedOut).toBe(false)

      // The other organisation's secret in the same copy still decrypts.
      const secret = await useCredential(
        restored.ctx,
        kept.tenantId,
        kept.credentialId,
        'test.restore',
        async (s) => s,
      )
      expect(secret).toEqual({ key: 'kept-api-key' })
    } finally {
      await restored.close()
    }
  }, 180_000)
})
