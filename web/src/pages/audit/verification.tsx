// LOG-2, LOG-4: the log's latest signed checkpoint, and entries checked against it in this
// browser with the portable verifier (src/modules/audit/proof-verifier.ts) and WebCrypto: the
// server supplies the proof, the browser does the hashing and the signature check.
import { useCallback, useEffect, useState } from 'react'
import {
  checkCheckpoint,
  checkInclusion,
  type InclusionAnswer,
  type Verdict,
} from '../../../../src/modules/audit/proof-verifier.ts'
import { ApiError, api } from '../../api/client.ts'
import { messageFor } from '../../api/messages.ts'
import { useApi } from '../../api/use-api.ts'
import { ErrorMessage, formatDate, Loading } from '../../components/ui.tsx'
import { useMe } from '../../session.tsx'
import type { AuditEventRow, CheckpointAnswer } from './types.ts'
import { webCrypto } from './webcrypto.ts'

export type EntryCheck =
  | { index: number; state: 'checking' }
  | { index: number; state: 'included'; size: number; root: string; time: string }
  | { index: number; state: 'failed'; problem: string }
  | { index: number; state: 'unavailable'; error: unknown }

/** The latest checkpoint, read once, and the browser's own check of its signature. */
export function useCheckpoint() {
  const me = useMe()
  const loaded = useApi<CheckpointAnswer>('/api/v1/audit/checkpoint')
  const [signature, setSignature] = useState<Verdict | null>(null)
  useEffect(() => {
    setSignature(null)
    if (!loaded.data) return
    let current = true
    void checkCheckpoint(
      webCrypto,
      loaded.data.checkpoint,
      loaded.data.publicKey,
      me.tenant.id,
    ).then((verdict) => {
      if (current) setSignature(verdict)
    })
    return () => {
      current = false
    }
  }, [loaded.data, me.tenant.id])
  return { ...loaded, signature }
}

/** Fetches an entry's inclusion proof and checks it here; the latest result is kept. */
export function useEntryCheck(publicKey: string | null) {
  const me = useMe()
  const [check, setCheck] = useState<EntryCheck | null>(null)
  const verify = useCallback(
    async (row: AuditEventRow) => {
      setCheck({ index: row.index, state: 'checking' })
      try {
        const answer = await api<InclusionAnswer>('GET', `/api/v1/audit/events/${row.index}/proof`)
        const key =
          publicKey ?? (await api<CheckpointAnswer>('GET', '/api/v1/audit/checkpoint')).publicKey
        const verdict = await checkEntry(answer, row, key, me.tenant.id)
        setCheck(
          verdict.ok
            ? {
                index: row.index,
                state: 'included',
                size: answer.checkpoint.size,
                root: answer.checkpoint.root,
                time: answer.checkpoint.time,
              }
            : { index: row.index, state: 'failed', problem: verdict.problem },
        )
      } catch (error) {
        setCheck({ index: row.index, state: 'unavailable', error })
      }
    },
    [publicKey, me.tenant.id],
  )
  return { check, verify }
}

/** Structural equality of JSON values, whatever the order of object keys. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const keysA = Object.keys(a)
  const keysB = Object.keys(b)
  if (keysA.length !== keysB.length) return false
  return keysA.every(
    (key) =>
      Object.hasOwn(b, key) &&
      sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  )
}

/** The proof must be of the row on screen: same index, and its event text says the same. */
async function checkEntry(
  answer: InclusionAnswer,
  row: AuditEventRow,
  publicKey: string,
  log: string,
): Promise<Verdict> {
  let proven: Partial<AuditEventRow>
  try {
    proven = JSON.parse(answer.event) as Partial<AuditEventRow>
  } catch {
    return { ok: false, problem: 'the proven event text is not JSON' }
  }
  // Every field the row shows must be the proven one: a list answer that put another actor or
  // target beside a genuine proof would otherwise be shown as verified.
  // (The proven text also holds its format version, which the list does not show.)
  const { index, ...shown } = row
  const provenFields = proven as Record<string, unknown>
  const differs = Object.entries(shown).some(([key, value]) => !sameValue(value, provenFields[key]))
  if (index !== answer.index || differs) {
    return { ok: false, problem: 'the proof is of another event than the one listed' }
  }
  return checkInclusion(webCrypto, answer, publicKey, log)
}

export function CheckpointPanel({ checkpoint }: { checkpoint: ReturnType<typeof useCheckpoint> }) {
  const { data, error, loading, signature, reload } = checkpoint
  const none = error instanceof ApiError && error.code === 'AUDIT_CHECKPOINT_NOT_FOUND'
  return (
    <section className="panel" aria-labelledby="checkpoint-heading">
      <h2 id="checkpoint-heading">Latest signed checkpoint</h2>
      <p>
        A checkpoint is a signed statement of how many entries the log had and the hash of all of
        them. Each entry can be proved to be in it, and nothing in it can later change unnoticed.
      </p>
      {loading && !data ? <Loading what="Reading the checkpoint" /> : null}
      {none ? (
        <p className="empty">
          No checkpoint is signed yet; one follows within a second of new entries.
        </p>
      ) : (
        <ErrorMessage error={error} />
      )}
      {data ? (
        <dl className="facts">
          <dt>Entries</dt>
          <dd>{data.checkpoint.size}</dd>
          <dt>Root hash</dt>
          <dd>
            <code className="hash">{data.checkpoint.root}</code>
          </dd>
          <dt>Signed at</dt>
          <dd>{formatDate(data.checkpoint.time)}</dd>
          <dt>Signing key</dt>
          <dd>
            <code className="hash">{data.checkpoint.keyId}</code>
          </dd>
          <dt>Signature</dt>
          <dd>
            <code className="hash">{data.checkpoint.signature}</code>
          </dd>
          <dt>Checked here</dt>
          <dd>
            {signature === null ? 'checking…' : null}
            {signature?.ok ? (
              <span className="verdict ok">
                The signature is valid for the published key (checked in this browser)
              </span>
            ) : null}
            {signature && !signature.ok ? (
              <span className="verdict bad">The signature is not valid: {signature.problem}</span>
            ) : null}
          </dd>
        </dl>
      ) : null}
      <p className="hint">
        Compare the signing key's fingerprint with the one your organisation keeps: a valid
        signature only means something for a key you trust.
      </p>
      <div className="actions">
        <button type="button" onClick={reload} disabled={loading}>
          Read the latest checkpoint
        </button>
      </div>
    </section>
  )
}

export function EntryCheckResult({ check }: { check: EntryCheck | null }) {
  if (!check) return null
  switch (check.state) {
    case 'checking':
      return <Loading what={`Checking entry ${check.index}`} />
    case 'included':
      return (
        <p className="notice success" role="status">
          Entry {check.index} is included in the signed log of size {check.size} (root{' '}
          <code className="hash">{check.root}</code>, signed at {formatDate(check.time)}). Checked
          in this browser.
        </p>
      )
    case 'failed':
      return (
        <p className="notice error" role="alert">
          Verification failed: entry {check.index} could not be proved to be in the signed log (
          {check.problem}).
        </p>
      )
    case 'unavailable':
      return (
        <p className="notice warning" role="alert">
          Entry {check.index} could not be checked: {messageFor(check.error)}
        </p>
      )
  }
}
