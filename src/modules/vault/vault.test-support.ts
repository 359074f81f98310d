// Test support for the vault suites: an app whose keyring the test holds too (to decrypt stored
// values, shred a tenant, and call useCredential with the app's own context), users of any role,
// and a tenant's audit events.
import { randomUUID } from 'node:crypto'
import {
  createKeyedTestApp,
  type KeyedTestApp,
  type SignedIn,
  type SignedUp,
  STRONG_PASSWORD,
  signInBearer,
} from '../../../test/support/app.ts'
import { withTenant } from '../../db/tenant.ts'
import type { AuditEvent } from '../audit/events.ts'
import { hashPassword } from '../identity/passwords.ts'
import type { UserRole } from '../identity/users.table.ts'

/** The app's own context (same database handle and keyring) and key services, held by the test. */
export type VaultTestApp = KeyedTestApp
export const createVaultTestApp = createKeyedTestApp

/** A user of `role` in the organisation, signed in as a bearer client. */
export async function signInWithRole(
  t: VaultTestApp,
  org: SignedUp,
  role: UserRole,
): Promise<SignedIn> {
  const email = `${role}-${randomUUID().slice(0, 8)}@${org.tenant.slug}.example`
  const passwordHash = await hashPassword(STRONG_PASSWORD)
  await withTenant(t.database.handle, org.tenant.id, (trx) =>
    trx
      .insertInto('users')
      .values({
        id: randomUUID(),
        tenant_id: org.tenant.id,
        email,
        email_normalized: email,
        password_hash: passwordHash,
        role,
        last_sign_in_at: null,
      })
      .execute(),
  )
  return signInBearer(t.app, { ...org, owner: { ...org.owner, email } })
}

/**
 * The organisation's audit events, oldest first, with their JSON text. Read through the audit API
 * as `who` (an owner), so the suites do not depend on how the log stores its entries.
 */
export async function auditEventsOf(
  t: VaultTestApp,
  who: SignedIn,
): Promise<(AuditEvent & { text: string })[]> {
  const res = await t.app.inject({
    method: 'GET',
    url: '/api/v1/audit/events?limit=500',
    headers: who.authorization,
  })
  if (res.statusCode !== 200) throw new Error(`audit read failed: ${res.statusCode} ${res.body}`)
  const { events } = res.json() as { events: AuditEvent[] }
  return events.reverse().map((e) => ({ ...e, text: JSON.stringify(e) }))
}

/** The stored row, read on the owner connection (tests only). */
export async function storedCredential(t: VaultTestApp, id: string) {
  return t.database.handle.db
    .selectFrom('credentials')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
}
