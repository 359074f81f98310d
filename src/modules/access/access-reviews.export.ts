// AUTHZ-4: a completed review as evidence: its metadata and every item with its snapshot and
// decision, as one JSON document or as CSV (one row per user, the review's columns repeated so
// each row stands alone). docs/access-reviews.md describes both formats.
import type { AccessReview, AccessReviewItem } from './access-reviews.views.ts'

export const EVIDENCE_FORMAT = 'rampart.access-review.v1'

export interface Evidence {
  format: typeof EVIDENCE_FORMAT
  exportedAt: string
  exportedBy: { type: 'user' | 'api_key'; id: string }
  review: AccessReview
  items: AccessReviewItem[]
}

export function evidenceJson(evidence: Evidence): string {
  return `${JSON.stringify(evidence, null, 2)}\n`
}

const CSV_COLUMNS: [string, (review: AccessReview, item: AccessReviewItem) => unknown][] = [
  ['review_id', (r) => r.id],
  ['review_trigger', (r) => r.trigger],
  ['review_opened_by', (r) => r.openedBy],
  ['review_opened_at', (r) => r.openedAt],
  ['review_due_at', (r) => r.dueAt],
  ['review_completed_by', (r) => r.completedBy],
  ['review_completed_at', (r) => r.completedAt],
  ['user_id', (_, i) => i.userId],
  ['email', (_, i) => i.email],
  ['role', (_, i) => i.role],
  ['status', (_, i) => i.status],
  ['created_at', (_, i) => i.createdAt],
  ['groups', (_, i) => i.groups.join('; ')],
  ['last_sign_in_at', (_, i) => i.lastSignInAt],
  ['mfa_enabled', (_, i) => i.mfa.enabled],
  ['mfa_totp', (_, i) => i.mfa.totp],
  ['mfa_passkeys', (_, i) => i.mfa.passkeys],
  ['mfa_recovery_codes', (_, i) => i.mfa.recoveryCodes],
  ['live_sessions', (_, i) => i.devices.liveSessions],
  ['last_seen_at', (_, i) => i.devices.lastSeenAt],
  ['known_devices', (_, i) => i.devices.knownDevices],
  ['live_api_keys', (_, i) => i.devices.liveApiKeys],
  ['decision', (_, i) => i.decision],
  ['decided_by', (_, i) => i.decidedBy],
  ['decided_at', (_, i) => i.decidedAt],
  ['note', (_, i) => i.note],
]

/** Quotes every cell; a leading = + - @ tab or CR gets a ' so spreadsheets show, not run, it. */
export function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value)
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
  return `"${safe.replaceAll('"', '""')}"`
}

export function evidenceCsv(evidence: Evidence): string {
  const lines = [CSV_COLUMNS.map(([name]) => name).join(',')]
  for (const item of evidence.items) {
    lines.push(CSV_COLUMNS.map(([, cell]) => csvCell(cell(evidence.review, item))).join(','))
  }
  return `${lines.join('\r\n')}\r\n`
}
