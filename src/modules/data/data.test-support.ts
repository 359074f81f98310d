// DATA-1 test support: collections and records made through the API, grants on collections, the
// raw rows as the owner connection sees them, and the audit events of the data module.
import {
  call,
  createKeyedTestApp,
  expectStatus,
  type KeyedTestApp,
  type SignedIn,
  type TestApp,
} from '../../../test/support/app.ts'
import { sequencePending } from '../audit/audit.service.ts'
import type { FieldInput } from './collections.schema.ts'
import type { Collection } from './collections.service.ts'
import type { RecordValues } from './records.codec.ts'
import type { DataRecord } from './records.service.ts'
import type { RecordRow } from './records.table.ts'

// The data suites take these from here; they are the shared test support's own.
export type DataTestApp = KeyedTestApp
export const createDataTestApp = createKeyedTestApp
export { call, expectStatus, type Method } from '../../../test/support/app.ts'

/** People: every classification and type, with the e-mail address as data subject. */
export const PEOPLE_FIELDS: FieldInput[] = [
  { key: 'name', label: 'Name', type: 'text', classification: 'personal', required: true },
  { key: 'email', label: 'E-mail', type: 'email', classification: 'personal' },
  { key: 'diagnosis', label: 'Diagnosis', type: 'text', classification: 'sensitive' },
  { key: 'city', label: 'City', type: 'text', classification: 'public' },
  { key: 'age', label: 'Age', type: 'number', classification: 'internal' },
  { key: 'active', label: 'Active', type: 'boolean', classification: 'internal' },
  { key: 'joined', label: 'Joined', type: 'date', classification: 'public' },
  {
    key: 'tier',
    label: 'Tier',
    type: 'enum',
    classification: 'internal',
    options: ['gold', 'silver', 'bronze'],
  },
]

let made = 0

export async function newCollection(
  t: TestApp,
  who: SignedIn,
  body: { name?: string; fields?: FieldInput[]; subjectField?: string | null } = {},
): Promise<Collection> {
  made += 1
  const res = await call(t, who, 'POST', '/api/v1/collections', {
    name: body.name ?? `People ${made}`,
    fields: body.fields ?? PEOPLE_FIELDS,
    ...(body.subjectField === undefined
      ? { subjectField: 'email' }
      : { subjectField: body.subjectField }),
  })
  expectStatus(res, 201)
  return res.json() as Collection
}

export async function newRecord(
  t: TestApp,
  who: SignedIn,
  collectionId: string,
  values: RecordValues,
): Promise<DataRecord> {
  const res = await call(t, who, 'POST', `/api/v1/collections/${collectionId}/records`, { values })
  expectStatus(res, 201)
  return res.json() as DataRecord
}

/** Grants a group `permission` (view or edit) on a collection; returns the grant id. */
export async function grantCollection(
  t: TestApp,
  who: SignedIn,
  groupId: string,
  collectionId: string,
  permission: 'view' | 'edit',
): Promise<string> {
  const res = await call(t, who, 'POST', `/api/v1/groups/${groupId}/grants`, {
    resourceType: 'collection',
    resourceId: collectionId,
    permission,
  })
  expectStatus(res, 201)
  return res.json().id
}

/** The record row as stored, read on the owner connection (no tenant context, no RLS). */
export async function rawRecord(t: TestApp, recordId: string): Promise<RecordRow | undefined> {
  return t.database.handle.db
    .selectFrom('records')
    .selectAll()
    .where('id', '=', recordId)
    .executeTakeFirst()
}

export interface LoggedEvent {
  action: string
  outcome: string
  actor: { type: string; id?: string }
  target?: { type: string; id?: string }
  parent?: { type: string; id?: string }
  fields?: string[]
  reason?: string
}

/** Every audit event of the tenant in log order, read on the owner connection. */
export async function loggedEvents(t: TestApp, tenantId: string): Promise<LoggedEvent[]> {
  await sequencePending(t.database.handle, tenantId)
  const rows = await t.database.handle.db
    .selectFrom('audit_entries')
    .select('event')
    .where('tenant_id', '=', tenantId)
    .orderBy('idx')
    .execute()
  return rows.map((r) => JSON.parse(r.event) as LoggedEvent)
}
