// IAM-4: rows of the MFA tables. Every statement names the tenant and the user: a user's factors
// are reached only through their own ids, beneath row-level security's tenant scoping.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { MfaTotpStateRow, NewMfaTotpRow, NewRecoveryCodeRow } from './mfa.table.ts'

const TOTP_STATE = [
  'id',
  'tenant_id',
  'user_id',
  'confirmed_at',
  'last_step',
  'last_used_at',
  'created_at',
] as const

/**
 * Stores a new pending enrolment, replacing a pending one in the same statement; a confirmed one
 * is left alone and nothing is returned. The row takes the new id, as its secret is bound to it.
 */
export async function upsertPendingTotp(
  trx: Trx,
  row: NewMfaTotpRow,
): Promise<MfaTotpStateRow | undefined> {
  return trx
    .insertInto('mfa_totp')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'user_id'])
        .doUpdateSet({
          id: (eb) => eb.ref('excluded.id'),
          secret: (eb) => eb.ref('excluded.secret'),
          created_at: sql`now()`,
          last_step: null,
          last_used_at: null,
        })
        .where('mfa_totp.confirmed_at', 'is', null),
    )
    .returning(TOTP_STATE)
    .executeTakeFirst()
}

export async function findTotpState(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<MfaTotpStateRow | undefined> {
  return trx
    .selectFrom('mfa_totp')
    .select(TOTP_STATE)
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
}

/** The secret and state; `lock` holds the row until the transaction ends (confirmation). */
export async function findTotpSecret(
  trx: Trx,
  tenantId: string,
  userId: string,
  lock = false,
): Promise<(MfaTotpStateRow & { secret: Uint8Array }) | undefined> {
  let query = trx
    .selectFrom('mfa_totp')
    .select([...TOTP_STATE, 'secret'])
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
  if (lock) query = query.forUpdate()
  return query.executeTakeFirst()
}

/** Confirms a pending enrolment the caller holds locked; `step` (the confirming code's) is used. */
export async function confirmTotp(
  trx: Trx,
  tenantId: string,
  id: string,
  step: number,
): Promise<Date> {
  const now = new Date()
  await trx
    .updateTable('mfa_totp')
    .set({ confirmed_at: now, last_step: step, last_used_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute()
  return now
}

/**
 * IAM-4: records `step` as used, only if it is later than every step used before. One statement:
 * of two transactions presenting the same step, PostgreSQL makes the second wait for the first's
 * row lock and then re-checks the condition against the committed row, so exactly one gets a row.
 */
export async function claimTotpStep(
  trx: Trx,
  tenantId: string,
  id: string,
  step: number,
): Promise<boolean> {
  const claimed = await trx
    .updateTable('mfa_totp')
    .set({ last_step: step, last_used_at: sql`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('confirmed_at', 'is not', null)
    .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', String(step))]))
    .returning('id')
    .executeTakeFirst()
  return claimed !== undefined
}

export async function deleteTotp(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<MfaTotpStateRow | undefined> {
  return trx
    .deleteFrom('mfa_totp')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .returning(TOTP_STATE)
    .executeTakeFirst()
}

/**
 * Serialises changes to one user's recovery codes until the transaction ends, without locking the
 * user row (sign-in updates it, and a lock there could deadlock with a code being spent).
 */
export async function lockRecoveryCodes(trx: Trx, tenantId: string, userId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`mfa_recovery_codes/${tenantId}/${userId}`}, 0))`.execute(
    trx,
  )
}

export async function replaceRecoveryCodes(
  trx: Trx,
  tenantId: string,
  userId: string,
  rows: NewRecoveryCodeRow[],
): Promise<void> {
  await trx
    .deleteFrom('mfa_recovery_codes')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .execute()
  await trx.insertInto('mfa_recovery_codes').values(rows).execute()
}

/** IAM-4: spends an unused code in one statement; of parallel attempts exactly one gets a row. */
export async function spendRecoveryCode(
  trx: Trx,
  tenantId: string,
  userId: string,
  codeHash: Buffer,
): Promise<boolean> {
  const spent = await trx
    .updateTable('mfa_recovery_codes')
    .set({ used_at: sql`now()` })
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .returning('id')
    .executeTakeFirst()
  return spent !== undefined
}

export async function countUnusedRecoveryCodes(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<number> {
  const { n } = await trx
    .selectFrom('mfa_recovery_codes')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(n)
}
