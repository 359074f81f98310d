// IAM-4: sign-ins waiting for their second factor. A challenge is consumed in one statement, so
// of two requests completing the same sign-in exactly one gets the session.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { MfaChallengeRow, NewMfaChallengeRow } from './mfa-challenges.table.ts'

export async function insertChallenge(trx: Trx, row: NewMfaChallengeRow): Promise<void> {
  await trx.insertInto('mfa_challenges').values(row).execute()
}

/** The open (unconsumed, unexpired) challenge with this token hash. */
export async function findOpenChallenge(
  trx: Trx,
  tenantId: string,
  tokenHash: string,
): Promise<MfaChallengeRow | undefined> {
  return trx
    .selectFrom('mfa_challenges')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('token_hash', '=', tokenHash)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst()
}

/** Marks the challenge used; false when another request consumed it first. */
export async function consumeChallenge(trx: Trx, tenantId: string, id: string): Promise<boolean> {
  const result = await trx
    .updateTable('mfa_challenges')
    .set({ consumed_at: sql<Date>`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/**
 * Counts a wrong code against the challenge; at `max` wrong codes the challenge is spent, so the
 * password has to be entered again.
 */
export async function recordChallengeFailure(
  trx: Trx,
  tenantId: string,
  id: string,
  max: number,
): Promise<void> {
  await sql`
    UPDATE mfa_challenges SET
      failures = failures + 1,
      consumed_at = CASE WHEN failures + 1 >= ${max} THEN now() ELSE consumed_at END
    WHERE tenant_id = ${tenantId}::uuid AND id = ${id}::uuid`.execute(trx)
}

/** Old challenges go when the user signs in again, so a table of them never grows unbounded. */
export async function deleteStaleChallenges(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<void> {
  await trx
    .deleteFrom('mfa_challenges')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where((eb) =>
      eb.or([eb('consumed_at', 'is not', null), eb('expires_at', '<=', sql<Date>`now()`)]),
    )
    .execute()
}
