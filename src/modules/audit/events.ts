// LOG-1, LOG-6: the audit event. OCSF-inspired: category, action (activity), outcome, time, actor,
// source address, target, request id and the names (never the values) of changed fields. The
// writer refuses any other key and any value outside its pattern, so e-mail addresses, names and
// field values cannot reach the log and erasure never has to touch it.
import { isIP } from 'node:net'

export const PLATFORM_LOG = '00000000-0000-0000-0000-000000000000'

export type ActorType = 'user' | 'api_key' | 'system' | 'anonymous'

export interface AuditEvent {
  category: 'iam' | 'tenant' | 'data' | 'platform'
  /** What happened, as `object.verb`: `session.create`, `tenant.create`, ... */
  action: string
  outcome: 'success' | 'failure'
  /** Why it failed (or a qualifier), as a code: `invalid_credentials`, `idle_timeout`, ... */
  reason?: string
  actor: { type: ActorType; id?: string }
  source?: { ip: string }
  target?: { type: string; id?: string }
  /** What the target was changed on or through: the group of a membership or grant. */
  parent?: { type: string; id?: string }
  requestId?: string
  /** Names of the fields a data change touched; never their values. */
  fields?: string[]
}

export class AuditEventInvalid extends Error {
  override name = 'AuditEventInvalid'
}

const CODE = /^[a-z][a-z0-9_.-]{0,63}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,64}$/
const FIELD = /^[a-z_][a-z0-9_]{0,62}$/

function only(object: object, keys: string[], where: string): void {
  for (const key of Object.keys(object)) {
    if (!keys.includes(key)) throw new AuditEventInvalid(`unknown key ${where}${key}`)
  }
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new AuditEventInvalid(`invalid ${what}`)
}

/** Throws unless the event has exactly the allowed shape and every value its pattern. */
export function assertValidEvent(event: AuditEvent): void {
  only(
    event,
    [
      'category',
      'action',
      'outcome',
      'reason',
      'actor',
      'source',
      'target',
      'parent',
      'requestId',
      'fields',
    ],
    '',
  )
  check(['iam', 'tenant', 'data', 'platform'].includes(event.category), 'category')
  check(CODE.test(event.action), 'action')
  check(event.outcome === 'success' || event.outcome === 'failure', 'outcome')
  if (event.reason !== undefined) check(CODE.test(event.reason), 'reason')
  only(event.actor, ['type', 'id'], 'actor.')
  check(['user', 'api_key', 'system', 'anonymous'].includes(event.actor.type), 'actor.type')
  if (event.actor.id !== undefined) check(UUID.test(event.actor.id), 'actor.id')
  if (event.source !== undefined) {
    only(event.source, ['ip'], 'source.')
    check(isIP(event.source.ip) !== 0, 'source.ip')
  }
  for (const [name, object] of [
    ['target', event.target],
    ['parent', event.parent],
  ] as const) {
    if (object === undefined) continue
    only(object, ['type', 'id'], `${name}.`)
    check(CODE.test(object.type), `${name}.type`)
    if (object.id !== undefined) check(UUID.test(object.id), `${name}.id`)
  }
  if (event.requestId !== undefined) check(REQUEST_ID.test(event.requestId), 'requestId')
  if (event.fields !== undefined) {
    check(Array.isArray(event.fields) && event.fields.length <= 100, 'fields')
    for (const f of event.fields) check(typeof f === 'string' && FIELD.test(f), 'fields')
  }
}

/** JSON with keys sorted at every level and no whitespace: one text per event, hashed as is. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

/** The stored form: version and time added, validated, canonical. */
export function serializeEvent(event: AuditEvent, time: Date = new Date()): string {
  assertValidEvent(event)
  return canonicalJson({ v: 1, time: time.toISOString(), ...event })
}
