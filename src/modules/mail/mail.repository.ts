// Outbox rows. Delivery claims one due mail at a time with FOR UPDATE SKIP LOCKED and pushes its
// next attempt past a lease in the same statement, so parallel loops (several nodes) never pick
// the same mail while one of them is sending it.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { MailRow, NewMailRow } from './mail.table.ts'

export async function insertMail(trx: Trx, row: NewMailRow): Promise<void> {
  await trx.insertInto('mail_outbox').values(row).execute()
}

/** Tenants with mail due, the longest waiting first (ids only, through the gateway). */
export async function tenantsWithMailDue(trx: Trx, limit: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT rampart_mail_due_tenants(${limit}::int) AS id`.execute(trx)
  return rows.map((r) => r.id)
}

/**
 * The tenant's longest-waiting due mail, claimed: attempts counted and the next attempt moved
 * `leaseSeconds` ahead. Should the sender die mid-send, the mail is due again after the lease.
 */
export async function claimDueMail(
  trx: Trx,
  tenantId: string,
  leaseSeconds: number,
): Promise<MailRow | undefined> {
  return trx
    .updateTable('mail_outbox')
    .set({
      attempts: sql`attempts + 1`,
      next_attempt_at: sql`now() + make_interval(secs => ${leaseSeconds})`,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', (eb) =>
      eb
        .selectFrom('mail_outbox')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', sql<Date>`now()`)
        .orderBy('next_attempt_at')
        .limit(1)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .executeTakeFirst()
}

/** Sent: the bodies are cleared, since they may hold one-time links. */
export async function markSent(trx: Trx, tenantId: string, id: string): Promise<void> {
  await trx
    .updateTable('mail_outbox')
    .set({ status: 'sent', sent_at: sql`now()`, last_error: null, body_text: '', body_html: null })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute()
}

export async function scheduleRetry(
  trx: Trx,
  tenantId: string,
  id: string,
  delaySeconds: number,
  error: string,
): Promise<void> {
  await trx
    .updateTable('mail_outbox')
    .set({
      next_attempt_at: sql`now() + make_interval(secs => ${delaySeconds})`,
      last_error: error,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute()
}

/** Given up: kept as a record of what was not delivered, without its bodies. */
export async function markFailed(
  trx: Trx,
  tenantId: string,
  id: string,
  error: string,
): Promise<void> {
  await trx
    .updateTable('mail_outbox')
    .set({ status: 'failed', last_error: error, body_text: '', body_html: null })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute()
}
