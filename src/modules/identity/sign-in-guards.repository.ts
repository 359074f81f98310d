// IAM-3: the failure counters, changed only by single atomic statements so parallel attempts
// cannot read the same count and all get through.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'

/** Whose counter an attempt is charged to: the account, or a known device of it. */
export type GuardRef = { kind: 'account'; userId: string } | { kind: 'device'; deviceId: string }

/**
 * Reserves one attempt before the password is checked: counts it as a failure now (a success
 * clears the count later). Returns the attempt's number, or null when the counter is locked or
 * `threshold` attempts are already counted: then the password must not be checked at all.
 * An expired lock starts the count again.
 */
export async function reserveAttempt(
  trx: Trx,
  tenantId: string,
  guard: GuardRef,
  threshold: number,
): Promise<number | null> {
  const counted =
    guard.kind === 'account'
      ? sql<{ failures: number }>`
          INSERT INTO sign_in_guards AS g (tenant_id, user_id, failures)
          VALUES (${tenantId}::uuid, ${guard.userId}::uuid, 1)
          ON CONFLICT (tenant_id, user_id) DO UPDATE SET
            failures = CASE WHEN g.locked_until <= now() THEN 1 ELSE g.failures + 1 END,
            locked_until = CASE WHEN g.locked_until <= now() THEN NULL ELSE g.locked_until END
          WHERE (g.locked_until IS NULL AND g.failures < ${threshold}) OR g.locked_until <= now()
          RETURNING failures`
      : sql<{ failures: number }>`
          UPDATE known_devices AS g SET
            failures = CASE WHEN g.locked_until <= now() THEN 1 ELSE g.failures + 1 END,
            locked_until = CASE WHEN g.locked_until <= now() THEN NULL ELSE g.locked_until END
          WHERE g.tenant_id = ${tenantId}::uuid AND g.id = ${guard.deviceId}::uuid
            AND ((g.locked_until IS NULL AND g.failures < ${threshold}) OR g.locked_until <= now())
          RETURNING failures`
  const { rows } = await counted.execute(trx)
  return rows[0]?.failures ?? null
}

/**
 * IAM-3: the look-up a reservation makes, for an attempt that has no account to charge (unknown
 * organisation or address): the same round trips, so the answer takes as long as a wrong
 * password's. Finds nothing and changes nothing.
 */
export async function probeCounter(trx: Trx, tenantId: string, userId: string): Promise<void> {
  await sql`
    SELECT failures FROM sign_in_guards
    WHERE tenant_id = ${tenantId}::uuid AND user_id = ${userId}::uuid
    FOR UPDATE`.execute(trx)
}

/**
 * Locks the counter after the failure that reached the threshold, for base * 2^lockouts seconds
 * (at most maxSeconds). Returns the lock's end.
 */
export async function lock(
  trx: Trx,
  tenantId: string,
  guard: GuardRef,
  baseSeconds: number,
  maxSeconds: number,
): Promise<Date | null> {
  const table = guard.kind === 'account' ? sql`sign_in_guards` : sql`known_devices`
  const where =
    guard.kind === 'account'
      ? sql`user_id = ${guard.userId}::uuid`
      : sql`id = ${guard.deviceId}::uuid`
  const { rows } = await sql<{ locked_until: Date }>`
    UPDATE ${table} SET
      locked_until = now() + make_interval(secs => least(${baseSeconds}::float8 * power(2, lockouts), ${maxSeconds}::float8)),
      lockouts = lockouts + 1
    WHERE tenant_id = ${tenantId}::uuid AND ${where}
    RETURNING locked_until`.execute(trx)
  return rows[0]?.locked_until ?? null
}

/**
 * Gives back a reserved attempt that turned out neither a failure nor a success: a right password
 * that waits for its second factor. The codes that follow are charged one by one (IAM-3).
 */
export async function releaseAttempt(trx: Trx, tenantId: string, guard: GuardRef): Promise<void> {
  const table = guard.kind === 'account' ? sql`sign_in_guards` : sql`known_devices`
  const where =
    guard.kind === 'account'
      ? sql`user_id = ${guard.userId}::uuid`
      : sql`id = ${guard.deviceId}::uuid`
  await sql`
    UPDATE ${table} SET failures = greatest(failures - 1, 0)
    WHERE tenant_id = ${tenantId}::uuid AND ${where} AND locked_until IS NULL`.execute(trx)
}

/** A success clears the counter and the lock history. */
export async function clearFailures(trx: Trx, tenantId: string, guard: GuardRef): Promise<void> {
  if (guard.kind === 'account') {
    await sql`
      UPDATE sign_in_guards SET failures = 0, locked_until = NULL, lockouts = 0
      WHERE tenant_id = ${tenantId}::uuid AND user_id = ${guard.userId}::uuid`.execute(trx)
  } else {
    await sql`
      UPDATE known_devices SET failures = 0, locked_until = NULL, lockouts = 0, last_used_at = now()
      WHERE tenant_id = ${tenantId}::uuid AND id = ${guard.deviceId}::uuid`.execute(trx)
  }
}

/** The known device of this user whose cookie hashes to `tokenHash`, if any. */
export async function findKnownDevice(
  trx: Trx,
  tenantId: string,
  userId: string,
  tokenHash: string,
): Promise<string | null> {
  const row = await trx
    .selectFrom('known_devices')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst()
  return row?.id ?? null
}

export async function insertKnownDevice(
  trx: Trx,
  row: { id: string; tenant_id: string; user_id: string; token_hash: string },
): Promise<void> {
  await trx.insertInto('known_devices').values(row).execute()
}

/** How many browsers have signed in to this account before (IAM-6 new-device notices). */
export async function countKnownDevices(
  trx: Trx,
  tenantId: string,
  userId: string,
): Promise<number> {
  const row = await trx
    .selectFrom('known_devices')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
