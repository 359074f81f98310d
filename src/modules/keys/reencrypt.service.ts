// KMS-1: moves every encrypted field of a tenant to its newest key version, in batches of one
// transaction each. Progress lives in the data itself (each value's header names its version),
// so a crash loses at most the batch in flight and a re-run carries on where it stopped.

import type { RequestMeta } from '../../context.ts'
import type { EncryptedColumn } from '../../crypto/encrypted-columns.ts'
import { withTenant } from '../../db/tenant.ts'
import { eventOrigin, recordEvent } from '../audit/audit.service.ts'
import { encryptedStores } from './encrypted-stores.ts'
import type { KeysContext } from './keys.service.ts'

export interface ReencryptOptions {
  batchSize: number
  /** Called after each committed batch. */
  onProgress?: (done: number, total: number) => void
  /** Test seam: runs after a batch commits, before the next starts (simulated crashes). */
  afterBatch?: (batch: number) => void | Promise<void>
  /** Limits the run to these columns (tests); every store of ciphertext by default. */
  columns?: readonly EncryptedColumn[]
}

export interface ReencryptResult {
  version: number
  /** Values moved to `version` by this run. */
  moved: number
  /** Values changed by someone else while this run was at them (left for the next run). */
  skipped: number
  /** Values still under an older version afterwards (0 unless writes raced the run). */
  remaining: number
}

export async function reencryptTenant(
  ctx: KeysContext,
  tenantId: string,
  options: ReencryptOptions,
  meta: RequestMeta,
): Promise<ReencryptResult> {
  const stores = encryptedStores(options.columns)
  const version = await ctx.keys.currentVersion(tenantId)
  const remainingNow = () =>
    withTenant(ctx.db, tenantId, async (trx) => {
      let n = 0
      for (const store of stores) n += await store.count(trx, tenantId, version, false)
      return n
    })
  const total = await remainingNow()
  let moved = 0
  let skipped = 0
  let batch = 0
  for (const store of stores) {
    let afterId: string | null = null
    for (;;) {
      const result = await withTenant(ctx.db, tenantId, async (trx) => {
        const done = await store.move(trx, ctx.keys, tenantId, version, afterId, options.batchSize)
        if (done.changed > 0) {
          // LOG-1: which column's values moved; the key version is the reason code.
          await recordEvent(trx, tenantId, {
            category: 'tenant',
            action: 'key.reencrypt',
            outcome: 'success',
            reason: `v${version}`,
            actor: { type: 'system' },
            target: { type: 'tenant_key', id: tenantId },
            fields: done.fields,
            ...eventOrigin(meta),
          })
        }
        return done
      })
      moved += result.changed
      skipped += result.read - result.changed
      batch++
      options.onProgress?.(moved, total)
      await options.afterBatch?.(batch)
      if (result.read < options.batchSize || result.lastId === null) break
      afterId = result.lastId
    }
  }
  return { version, moved, skipped, remaining: await remainingNow() }
}
