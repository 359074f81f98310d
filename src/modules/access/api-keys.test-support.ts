// IAM-9 test support: API keys made through the API, and direct changes to a key or its user's
// row that the API would not make (moving an expiry into the past, changing a role).
import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import type { SignedIn } from '../../../test/support/app.ts'
import type { TestDatabase } from '../../../test/support/database.ts'
import type { App } from '../../app.ts'
import { withTenant } from '../../db/tenant.ts'
import { sequencePending } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import type { UserRole } from '../identity/users.table.ts'

export interface MadeKey {
  id: string
  key: string
  authorization: { authorization: string }
}

export function createKeyRequest(
  app: App,
  who: SignedIn,
  payload: unknown,
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/api/v1/me/api-keys',
    headers: who.authorization,
    payload: payload as Record<string, unknown>,
  })
}

export async function makeKey(
  app: App,
  who: SignedIn,
  permissions: string[],
  name = 'ci deploy',
): Promise<MadeKey> {
  const res = await createKeyRequest(app, who, { name, permissions })
  if (res.statusCode !== 201) throw new Error(`key creation failed: ${res.statusCode} ${res.body}`)
  const body = res.json() as { apiKey: { id: string }; key: string }
  return {
    id: body.apiKey.id,
    key: body.key,
    authorization: { authorization: `Bearer ${body.key}` },
  }
}

export async function setKeyExpiry(
  database: TestDatabase,
  tenantId: string,
  keyId: string,
  when: string,
): Promise<void> {
  // The application role may not change an expiry at all: this runs on the owner connection.
  await database.handle.db
    .updateTable('api_keys')
    // A key expires after it was made (a table constraint): move its creation back too.
    .set({
      expires_at: sql<Date>`${when}::timestamptz`,
      created_at: sql<Date>`least(created_at, ${when}::timestamptz - interval '1 day')`,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', keyId)
    .execute()
}

export async function setUser(
  database: TestDatabase,
  tenantId: string,
  userId: string,
  change: { role?: UserRole; status?: 'active' | 'deactivated' },
): Promise<void> {
  await withTenant(database.handle, tenantId, (trx) =>
    trx.updateTable('users').set(change).where('id', '=', userId).execute(),
  )
}

/** The organisation's audit events with this action, oldest first. */
export async function auditEventsOf(
  database: TestDatabase,
  tenantId: string,
  action: string,
): Promise<AuditEvent[]> {
  await sequencePending(database.handle)
  const rows = await database.handle.db
    .selectFrom('audit_entries')
    .select('event')
    .where('tenant_id', '=', tenantId)
    .orderBy('idx')
    .execute()
  return rows.map((r) => JSON.parse(r.event) as AuditEvent).filter((e) => e.action === action)
}
