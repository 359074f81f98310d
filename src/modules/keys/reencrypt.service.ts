// KMS-1: moves every encrypted field of a tenant to its newest key version, in batches of one
// transaction each. Progress lives in the data itself (each value's header names its version),
// so a crash loses at most the batch in flight and a re-run carries on where it stopped.

import type { RequestMeta } from '../../context.ts'
import { ENCRYPTED_COLUMNS, type EncryptedColumn } from '../../crypto/encrypted-columns.ts'
import { decryptField, encryptField } from '../../crypto/field-encryption.ts'
import { withTenant } from '../../db/tenant.ts'
import { eventOrigin, recordEvent } from '../audit/audit.service.ts'
import { countByVersion, replaceValue, valuesNotUnder } from './keys.repository.ts'
import type { KeysContext } from './keys.service.ts'

export interface ReencryptOptions {
  batchSize: number
  /** Called after each committed batch. */
  onProgress?: (done: number, total: number) => void
  /** Test seam: runs after a batch commits, before the next starts (simulated crashes). */
  afterBatch?: (batch: number) => void | Promise<void>
  /** Limits the run to these columns (tests); every registered column by default. */
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
  const columns = options.columns ?? ENCRYPTED_COLUMNS
  const version = await ctx.keys.currentVersion(tenantId)
  const remainingNow = () =>
    withTenant(ctx.db, tenantId, async (trx) => {
      let n = 0
      for (const c of columns) n += await countByVersion(trx, c, tenantId, version, false)
      return n
    })
  const total = await remainingNow()
  let moved = 0
  let skipped = 0
  let batch = 0
  for (const c of columns) {
    let afterId: string | null = null
    for (;;) {
      const result = await withTenant(ctx.db, tenantId, async (trx) => {
        const values = await valuesNotUnder(trx, c, tenantId, version, afterId, options.batchSize)
        let changed = 0
        for (const { id, value } of values) {
          const ref = { tenantId, table: c.table, column: c.column, rowId: id }
          const plaintext = await decryptField(ctx.keys, ref, value)
          const next = await encryptField(ctx.keys, ref, plaintext)
          plaintext.fill(0)
          if (await replaceValue(trx, c, tenantId, id, value, next)) changed++
        }
        if (changed > 0) {
          // LOG-1: which column's values moved; the key version is the reason code.
          await recordEvent(trx, tenantId, {
            category: 'tenant',
            action: 'key.reencrypt',
            outcome: 'success',
            reason: `v${version}`,
            actor: { type: 'system' },
            target: { type: 'tenant_key', id: tenantId },
            fields: [c.column],
            ...eventOrigin(meta),
          })
        }
        return { read: values.length, changed, lastId: values.at(-1)?.id ?? null }
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
