// `rampart keys status|rotate|rewrap|reencrypt|retire|shred|backup` (KMS-1, KMS-5).
import type { Config } from '../config/config.ts'
import { SYSTEM_META } from '../context.ts'
import { KmsError } from '../crypto/errors.ts'
import { KeyProviderError } from '../crypto/key-provider.ts'
import { type KeyServices, withKeyServices } from '../crypto/key-services.ts'
import { KeyStoreError } from '../crypto/key-store.ts'
import { backupKeyStore } from '../crypto/key-store-backup.ts'
import type { DatabaseHandle } from '../db/connection.ts'
import {
  keyStatus,
  retireTenantKey,
  rotateMasterKey,
  rotateTenantKey,
  shredTenantKey,
} from '../modules/keys/keys.service.ts'
import { reencryptTenant } from '../modules/keys/reencrypt.service.ts'
import { openConfiguredDatabase, prepareSchema } from '../server.ts'
import { type CliIo, progressOf } from './io.ts'

type KeysAction = (
  ctx: { db: DatabaseHandle; keys: KeyServices['keyring'] },
  services: KeyServices,
) => Promise<number>

/** Opens the database and the key services, runs `action`, turns known errors into exit 1. */
async function run(config: Config, io: CliIo, action: KeysAction): Promise<number> {
  const db = await openConfiguredDatabase(config, 'owner')
  try {
    await prepareSchema(config, db)
    return await withKeyServices(config.keys, (services) =>
      action({ db, keys: services.keyring }, services),
    )
  } catch (err) {
    if (
      err instanceof KmsError ||
      err instanceof KeyProviderError ||
      err instanceof KeyStoreError
    ) {
      io.err(`${err.reason}: ${err.message}`)
      return 1
    }
    throw err
  } finally {
    await db.close()
  }
}

async function tenantIdOf(db: DatabaseHandle, slug: string, io: CliIo): Promise<string | null> {
  const tenant = await db.db
    .selectFrom('tenants')
    .select('id')
    .where('slug', '=', slug)
    .executeTakeFirst()
  if (!tenant) io.err(`no tenant with slug ${slug}`)
  return tenant?.id ?? null
}

export function keysStatus(config: Config, options: { tenant?: string }, io: CliIo) {
  return run(config, io, async (ctx, services) => {
    const provider = services.provider.describe()
    io.out(`master key provider: ${provider.kind} (${provider.location})`)
    for (const k of await services.provider.listMasterKeys()) {
      io.out(`  master ${k.id}${k.active ? ' (active)' : ''}`)
    }
    io.out(`tenant key store: ${services.store.describe()}`)
    const query = ctx.db.db.selectFrom('tenants').select(['id', 'slug']).orderBy('slug')
    const tenants = await (options.tenant
      ? query.where('slug', '=', options.tenant)
      : query
    ).execute()
    if (options.tenant && tenants.length === 0) {
      io.err(`no tenant with slug ${options.tenant}`)
      return 1
    }
    for (const t of tenants) {
      const status = await keyStatus(ctx, t.id)
      if (status.shreddedAt) {
        io.out(`${t.slug}: shredded ${status.shreddedAt.toISOString()}`)
        continue
      }
      io.out(`${t.slug}: current version ${status.currentVersion ?? 'none'}`)
      for (const v of status.versions) {
        const fields = v.state === 'active' ? `, ${status.fieldsByVersion[v.version]} field(s)` : ''
        io.out(`  v${v.version} ${v.state} under ${v.masterKeyId}${fields}`)
      }
    }
    return 0
  })
}

export function keysRotate(config: Config, options: { tenant: string }, io: CliIo) {
  return run(config, io, async (ctx) => {
    const tenantId = await tenantIdOf(ctx.db, options.tenant, io)
    if (!tenantId) return 1
    const version = await rotateTenantKey(ctx, tenantId, SYSTEM_META)
    io.out(`${options.tenant}: new writes use key version ${version}; older versions still decrypt`)
    return 0
  })
}

export function keysRewrap(config: Config, options: { destroyOld?: boolean }, io: CliIo) {
  return run(config, io, async (ctx) => {
    const progress = progressOf(io, 'rewrap')
    const result = await rotateMasterKey(
      ctx,
      { destroyOld: options.destroyOld === true, onProgress: progress.update },
      SYSTEM_META,
    ).finally(() => progress.stop())
    io.out(
      `master key ${result.masterKeyId} is active; ${result.rewrapped} tenant key(s) rewrapped`,
    )
    if (result.destroyed.length > 0) io.out(`destroyed ${result.destroyed.join(', ')}`)
    return 0
  })
}

export function keysReencrypt(
  config: Config,
  options: { tenant: string; batch: string },
  io: CliIo,
) {
  const batchSize = Number(options.batch)
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    io.err('--batch must be a whole number from 1 to 10000')
    return Promise.resolve(1)
  }
  return run(config, io, async (ctx) => {
    const tenantId = await tenantIdOf(ctx.db, options.tenant, io)
    if (!tenantId) return 1
    const progress = progressOf(io, 'reencrypt')
    const result = await reencryptTenant(
      ctx,
      tenantId,
      { batchSize, onProgress: progress.update },
      SYSTEM_META,
    ).finally(() => progress.stop())
    io.out(
      `${options.tenant}: ${result.moved} field(s) moved to key version ${result.version}, ${result.remaining} left on older versions`,
    )
    return result.remaining === 0 ? 0 : 1
  })
}

export function keysRetire(
  config: Config,
  options: { tenant: string; version: string },
  io: CliIo,
) {
  return run(config, io, async (ctx) => {
    const tenantId = await tenantIdOf(ctx.db, options.tenant, io)
    if (!tenantId) return 1
    const version = Number(options.version)
    if (!Number.isInteger(version) || version < 1) {
      io.err('--version must be a key version number')
      return 1
    }
    await retireTenantKey(ctx, tenantId, version, SYSTEM_META)
    io.out(`${options.tenant}: key version ${version} retired; it decrypts nothing any more`)
    return 0
  })
}

export function keysShred(
  config: Config,
  options: { tenant: string; confirm?: string },
  io: CliIo,
) {
  if (options.confirm !== options.tenant) {
    io.err(`shredding cannot be undone: repeat the slug with --confirm ${options.tenant}`)
    return Promise.resolve(1)
  }
  return run(config, io, async (ctx) => {
    const tenantId = await tenantIdOf(ctx.db, options.tenant, io)
    if (!tenantId) return 1
    const destroyed = await shredTenantKey(ctx, tenantId, SYSTEM_META)
    io.out(
      `${options.tenant}: ${destroyed} key version(s) destroyed; its encrypted data is unreadable, and gone from key store backups after ${config.keys.backupRetentionDays} days`,
    )
    return 0
  })
}

export function keysBackup(config: Config, io: CliIo) {
  return run(config, io, async (_ctx, services) => {
    const result = await backupKeyStore(services.store, config.keys)
    io.out(`key store backup ${result.file} (${result.tenants} tenant(s))`)
    for (const f of result.pruned)
      io.out(`pruned ${f} (older than ${config.keys.backupRetentionDays} days)`)
    return 0
  })
}
