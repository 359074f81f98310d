// IAM-4: rows of the passkey tables. Every statement names the tenant, and those that act for a
// user name the user too, beneath row-level security's tenant scoping.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { NewPasskeyRow, PasskeyRow } from './passkeys.table.ts'

/** What a listing shows: everything but the public key, which only verification needs. */
export type PasskeySummaryRow = Omit<PasskeyRow, 'public_key'>

const SUMMARY = [
  'id',
  'tenant_id',
  'user_id',
  'credential_id',
  'sign_count',
  'transports',
  'name',
  'created_at',
  'last_used_at',
] as const

export async function listPasskeys(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<PasskeySummaryRow[]> {
  return trx
    .selectFrom('mfa_passkeys')
    .select(SUMMARY)
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

export async function countPasskeys(trx: Trx, tenantId: string, userId: string): Promise<number> {
  const { n } = await trx
    .selectFrom('mfa_passkeys')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow()
  return Number(n)
}

/**
 * Serialises registrations of one user until the transaction ends, so parallel ones cannot pass
 * the per-user limit together; the user row is left unlocked (sign-in updates it).
 */
export async function lockUserPasskeys(trx: Trx, tenantId: string, userId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`mfa_passkeys/${tenantId}/${userId}`}, 0))`.execute(
    trx,
  )
}

/** Stores a credential; undefined when this organisation already has one with that id. */
export async function insertPasskey(
  trx: Trx,
  row: NewPasskeyRow,
): Promise<PasskeySummaryRow | undefined> {
  return trx
    .insertInto('mfa_passkeys')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'credential_id']).doNothing())
    .returning(SUMMARY)
    .executeTakeFirst()
}

/** The credential with this id in this organisation, whoever's it is. */
export async function findPasskeyByCredentialId(
  trx: Trx,
  tenantId: string,
  credentialId: string,
): Promise<PasskeyRow | undefined> {
  return trx
    .selectFrom('mfa_passkeys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('credential_id', '=', credentialId)
    .executeTakeFirst()
}

export async function deletePasskey(
  trx: Trx,
  tenantId: string,
  userId: string,
  id: string,
): Promise<PasskeySummaryRow | undefined> {
  return trx
    .deleteFrom('mfa_passkeys')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .returning(SUMMARY)
    .executeTakeFirst()
}

/**
 * IAM-4: records a use with its signature counter, only if the counter rose (or the authenticator
 * keeps none: both zero). One statement, so of two uses racing with counters n and n+1 the one
 * committed second sees the other's row and fails if its counter is not higher.
 */
export async function recordPasskeyUse(
  trx: Trx,
  tenantId: string,
  id: string,
  counter: number,
): Promise<boolean> {
  const updated = await trx
    .updateTable('mfa_passkeys')
    .set({ sign_count: counter, last_used_at: sql`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where((eb) =>
      counter === 0 ? eb('sign_count', '=', '0') : eb('sign_count', '<', String(counter)),
    )
    .returning('id')
    .executeTakeFirst()
  return updated !== undefined
}

/** Marks older than this past their expiry go: clocks of several nodes may differ a little. */
const PURGE_MARGIN_MS = 10 * 60_000

/**
 * Marks a challenge spent; false when it was spent before. Long-expired marks are purged on the
 * way: an expired challenge is refused by its own seal, so its mark is no longer needed.
 */
export async function spendChallenge(
  trx: Trx,
  tenantId: string,
  id: string,
  purpose: 'registration' | 'authentication',
  expiresAt: Date,
): Promise<boolean> {
  await trx
    .deleteFrom('mfa_passkey_challenges')
    .where('tenant_id', '=', tenantId)
    .where('expires_at', '<', new Date(Date.now() - PURGE_MARGIN_MS))
    .execute()
  const spent = await trx
    .insertInto('mfa_passkey_challenges')
    .values({ tenant_id: tenantId, id, purpose, expires_at: expiresAt })
    .onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing())
    .returning('id')
    .executeTakeFirst()
  return spent !== undefined
}
