// `rampart audit verify`: re-derive every audit log and check every checkpoint (LOG-2).
import { createPrivateKey } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import type { Config } from '../config/config.ts'
import { sequencePending } from '../modules/audit/audit.service.ts'
import { signerFromPrivateKey } from '../modules/audit/checkpoint.ts'
import { verifyLogs } from '../modules/audit/verify.ts'
import { openConfiguredDatabase } from '../server.ts'
import type { CliIo } from './io.ts'

export async function auditVerify(
  config: Config,
  options: { tenant?: string; witness?: string },
  io: CliIo,
): Promise<number> {
  const keyFile = config.audit.signingKeyFile
  const publicKey = existsSync(keyFile)
    ? signerFromPrivateKey(createPrivateKey(readFileSync(keyFile))).publicKey
    : undefined
  const db = await openConfiguredDatabase(config, 'owner')
  try {
    let tenantIds: string[] | undefined
    if (options.tenant) {
      const tenant = await db.db
        .selectFrom('tenants')
        .select('id')
        .where('slug', '=', options.tenant)
        .executeTakeFirst()
      if (!tenant) {
        io.err(`no tenant with slug ${options.tenant}`)
        return 1
      }
      tenantIds = [tenant.id]
    }
    // Events queued by commands run while no server was sequencing join their logs first.
    await sequencePending(db)
    const results = await verifyLogs(db.db, {
      tenantIds,
      publicKey,
      witnessDir: options.witness ?? config.audit.witnessDir,
    })
    for (const r of results) {
      io.out(
        r.ok
          ? `ok   ${r.log}: ${r.size} entries, ${r.checkpoints} checkpoints, ${r.witnessed} witnessed`
          : `FAIL ${r.log}: ${r.problem} (first bad index ${r.firstBadIndex})`,
      )
    }
    const failed = results.filter((r) => !r.ok).length
    io.out(
      failed === 0 ? `all ${results.length} logs verified` : `${failed} log(s) failed verification`,
    )
    return failed === 0 ? 0 : 1
  } finally {
    await db.close()
  }
}
