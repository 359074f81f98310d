// KMS-1, KMS-5: operator actions on tenant keys (the `rampart keys` commands). Each is audited in
// the tenant's log, and master rotation in the platform's, with the system as the actor.
import type { RequestMeta, ServiceContext } from '../../context.ts'
import type { EncryptedColumn } from '../../crypto/encrypted-columns.ts'
import { KmsError } from '../../crypto/errors.ts'
import type { TenantKeyStatus } from '../../crypto/keyring.ts'
import { withTenant } from '../../db/tenant.ts'
import { eventOrigin, recordEvent, recordPlatformEvent } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import { encryptedStores } from './encrypted-stores.ts'

export type KeysContext = Pick<ServiceContext, 'db' | 'keys'>

function keyEvent(
  tenantId: string,
  action: string,
  meta: RequestMeta,
  extra: Partial<AuditEvent> = {},
): AuditEvent {
  return {
    category: 'tenant',
    action,
    outcome: 'success',
    actor: { type: 'system' },
    target: { type: 'tenant_key', id: tenantId },
    ...eventOrigin(meta),
    ...extra,
  }
}

/**
 * Values stored under a key version, in every store of ciphertext (or only `columns`): what
 * retiring it would orphan.
 */
export async function usageByVersion(
  ctx: KeysContext,
  tenantId: string,
  version: number,
  columns?: readonly EncryptedColumn[],
): Promise<number> {
  return withTenant(ctx.db, tenantId, async (trx) => {
    let n = 0
    for (const store of encryptedStores(columns))
      n += await store.count(trx, tenantId, version, true)
    return n
  })
}

export async function keyStatus(
  ctx: KeysContext,
  tenantId: string,
): Promise<TenantKeyStatus & { fieldsByVersion: Record<number, number> }> {
  const status = await ctx.keys.status(tenantId)
  const fieldsByVersion: Record<number, number> = {}
  for (const v of status.versions) {
    if (v.state === 'active')
      fieldsByVersion[v.version] = await usageByVersion(ctx, tenantId, v.version)
  }
  return { ...status, fieldsByVersion }
}

/** A new version for new writes; the event commits only after the key store has it. */
export async function rotateTenantKey(
  ctx: KeysContext,
  tenantId: string,
  meta: RequestMeta,
): Promise<number> {
  const version = await ctx.keys.rotate(tenantId)
  await withTenant(ctx.db, tenantId, (trx) =>
    recordEvent(trx, tenantId, keyEvent(tenantId, 'key.rotate', meta, { reason: `v${version}` })),
  )
  return version
}

/** Retires a version once no stored field uses it (run reencrypt first). */
export async function retireTenantKey(
  ctx: KeysContext,
  tenantId: string,
  version: number,
  meta: RequestMeta,
  /** The encrypted columns to check; every store of ciphertext by default. */
  columns?: readonly EncryptedColumn[],
): Promise<void> {
  const inUse = await usageByVersion(ctx, tenantId, version, columns)
  if (inUse > 0) {
    throw new KmsError(
      'key_version_in_use',
      `${inUse} stored field(s) still use version ${version}: run rampart keys reencrypt first`,
    )
  }
  await ctx.keys.retire(tenantId, version)
  await withTenant(ctx.db, tenantId, (trx) =>
    recordEvent(trx, tenantId, keyEvent(tenantId, 'key.retire', meta, { reason: `v${version}` })),
  )
}

/**
 * KMS-5: destroys every version of the tenant's key. The event goes to the platform's log too:
 * the tenant's own log may itself be deleted with the tenant later.
 */
export async function shredTenantKey(
  ctx: KeysContext,
  tenantId: string,
  meta: RequestMeta,
): Promise<number> {
  const destroyed = await ctx.keys.shred(tenantId)
  const event = keyEvent(tenantId, 'key.shred', meta)
  await withTenant(ctx.db, tenantId, (trx) => recordEvent(trx, tenantId, event))
  await recordPlatformEvent(ctx.db, event)
  return destroyed
}

/**
 * KMS-1 master rotation: a new master key version, every tenant key re-wrapped under it, no data
 * touched. With `destroyOld`, master versions nothing is wrapped under any more are destroyed.
 */
export async function rotateMasterKey(
  ctx: KeysContext,
  options: { destroyOld: boolean; onProgress?: (done: number, total: number) => void },
  meta: RequestMeta,
): Promise<{ masterKeyId: string; rewrapped: number; destroyed: string[] }> {
  await ctx.keys.provider.createMasterKey()
  const { rewrapped, masterKeyId } = await ctx.keys.rewrapAll(options.onProgress)
  const destroyed: string[] = []
  if (options.destroyOld) {
    for (const id of await ctx.keys.unusedMasterKeys()) {
      await ctx.keys.provider.destroyMasterKey(id)
      destroyed.push(id)
    }
  }
  await recordPlatformEvent(ctx.db, {
    category: 'platform',
    action: 'key.rewrap',
    outcome: 'success',
    actor: { type: 'system' },
    target: { type: 'master_key' },
    ...eventOrigin(meta),
  })
  return { masterKeyId, rewrapped, destroyed }
}
