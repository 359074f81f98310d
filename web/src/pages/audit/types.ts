// The answers of the audit API (src/modules/audit/audit.routes.ts) that these screens read.
import type { Checkpoint } from '../../../../src/modules/audit/proof-verifier.ts'

export interface AuditEventRow {
  /** Leaf index in the organisation's Merkle tree. */
  index: number
  time: string
  category: string
  action: string
  outcome: string
  reason?: string
  actor: { type: string; id?: string }
  source?: { ip: string }
  target?: { type: string; id?: string }
  parent?: { type: string; id?: string }
  requestId?: string
  fields?: string[]
}

export interface CheckpointAnswer {
  checkpoint: Checkpoint
  /** Ed25519 SPKI DER, base64. */
  publicKey: string
}

export interface AuditFilters {
  action: string
  outcome: '' | 'success' | 'failure'
  actor: string
  target: string
  /** `datetime-local` values, in the browser's time zone. */
  from: string
  to: string
}

export const NO_FILTERS: AuditFilters = {
  action: '',
  outcome: '',
  actor: '',
  target: '',
  from: '',
  to: '',
}

/** The query the events list and the export share; local times become ISO instants. */
export function filterQuery(filters: AuditFilters): URLSearchParams {
  const query = new URLSearchParams()
  const text = (name: string, value: string) => {
    if (value.trim()) query.set(name, value.trim())
  }
  text('action', filters.action)
  text('outcome', filters.outcome)
  text('actor', filters.actor.toLowerCase())
  text('target', filters.target.toLowerCase())
  for (const name of ['from', 'to'] as const) {
    const instant = filters[name] ? new Date(filters[name]) : null
    // An unparsable value goes as typed, so the API's REQUEST_INVALID names the field.
    if (instant)
      query.set(name, Number.isNaN(instant.getTime()) ? filters[name] : instant.toISOString())
  }
  return query
}
