// LOG-2: within a second of new entries, every grown log gets a signed checkpoint, stored in the
// database and first copied to the witness directory outside it, which is only ever appended to.
import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { DatabaseHandle } from '../../db/connection.ts'
import { withAppRole } from '../../db/tenant.ts'
import { insertCheckpoint, pendingCheckpoints } from './audit.repository.ts'
import { sequencePending } from './audit.service.ts'
import { type Checkpoint, type CheckpointSigner, logName } from './checkpoint.ts'
import { rootOfFrontier } from './merkle.ts'

/** Where checkpoint failures are reported (the server's logger). */
export interface ErrorLog {
  error(details: object, message: string): void
}

export interface Witness {
  record(checkpoint: Checkpoint): void
}

/** One JSON line per checkpoint in `<dir>/<log>.jsonl`, opened for appending only. */
export function directoryWitness(dir: string): Witness {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  return {
    record(checkpoint) {
      appendFileSync(join(dir, `${checkpoint.log}.jsonl`), `${JSON.stringify(checkpoint)}\n`, {
        mode: 0o600,
        flag: 'a',
      })
    },
  }
}

/**
 * Integrates every queued event, then signs a checkpoint for every log that grew since its last
 * one; returns what it signed.
 */
export async function checkpointPending(
  handle: DatabaseHandle,
  signer: CheckpointSigner,
  witness: Witness,
  now?: Date,
): Promise<Checkpoint[]> {
  await sequencePending(handle)
  const at = now ?? new Date()
  const pending = await withAppRole(handle.db, handle.appRole, (trx) => pendingCheckpoints(trx))
  const signed: Checkpoint[] = []
  for (const log of pending) {
    const root = rootOfFrontier(log.frontier)
    const checkpoint = signer.sign({
      log: logName(log.tenantId),
      size: log.size,
      root: root.toString('hex'),
      time: at.toISOString(),
    })
    // Witnessed first: a checkpoint outside the database is still a true statement if the
    // insert below fails, while one only inside it would not be witnessed at all.
    witness.record(checkpoint)
    await withAppRole(handle.db, handle.appRole, (trx) =>
      insertCheckpoint(trx, log.tenantId, {
        size: log.size,
        root,
        signedAt: at,
        keyId: checkpoint.keyId,
        signature: Buffer.from(checkpoint.signature, 'base64'),
      }),
    )
    signed.push(checkpoint)
  }
  return signed
}

/** Runs checkpointPending every `intervalMs`, never two at once, until stopped. */
export function startCheckpointer(
  handle: DatabaseHandle,
  signer: CheckpointSigner,
  witness: Witness,
  intervalMs: number,
  log: ErrorLog,
): { stop(): Promise<void> } {
  let stopped = false
  let running: Promise<void> = Promise.resolve()
  let timer: NodeJS.Timeout | undefined
  const tick = () => {
    running = checkpointPending(handle, signer, witness)
      .then(
        () => undefined,
        (err: unknown) => log.error({ err }, 'audit checkpoint failed'),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs)
      })
  }
  timer = setTimeout(tick, intervalMs)
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}
