// A durable outbox. queueMail writes the mail in the caller's transaction, so it commits with the
// action that sends it (a rolled-back reset request leaves no mail); deliverPending sends what is
// due and retries with exponential backoff while SMTP is unreachable, so no mail is lost.
// LOG-6: neither log lines nor last_error ever hold a recipient address or a body.

import { randomUUID } from 'node:crypto'
import type { ServiceContext } from '../../context.ts'
import { type Trx, withAppRole, withTenant } from '../../db/tenant.ts'
import { messageForLog } from '../../http/logging.ts'
import {
  claimDueMail,
  insertMail,
  markFailed,
  markSent,
  scheduleRetry,
  tenantsWithMailDue,
} from './mail.repository.ts'
import type { MailRow } from './mail.table.ts'
import type { MailTransport } from './mail.transport.ts'

export interface NewMail {
  to: string
  /** What kind of mail, as a code (`password_reset`); stored for operators, never the content. */
  template: string
  subject: string
  text: string
  html?: string | undefined
}

/** Where delivery reports failures (the server's logger, or a test's). */
export interface MailLog {
  warn(details: object, message: string): void
}

export type MailContext = Pick<ServiceContext, 'db'>

/** Attempts before a mail is given up as failed (about 4 hours of retries in all). */
export const MAX_ATTEMPTS = 10
const FIRST_RETRY_SECONDS = 60
const LONGEST_RETRY_SECONDS = 60 * 60
/** A claimed mail is due again after this long, should its sender die before recording the end. */
export const CLAIM_LEASE_SECONDS = 10 * 60

const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+$/
const TEMPLATE = /^[a-z][a-z0-9_.-]{0,63}$/
const SINGLE_LINE = /^[^\r\n]*$/
const MAX_BODY_CHARS = 100_000

/**
 * Queues a mail in the caller's withTenant transaction. The checks guard against programming
 * errors (a header injected through a subject, a list where one address belongs), not users.
 */
export async function queueMail(trx: Trx, tenantId: string, mail: NewMail): Promise<string> {
  if (!ADDRESS.test(mail.to) || mail.to.length > 254) throw new TypeError('queueMail: bad address')
  if (!TEMPLATE.test(mail.template)) throw new TypeError('queueMail: bad template code')
  if (!SINGLE_LINE.test(mail.subject) || mail.subject.length < 1 || mail.subject.length > 200) {
    throw new TypeError('queueMail: the subject needs 1 to 200 characters on one line')
  }
  if (mail.text.length > MAX_BODY_CHARS || (mail.html?.length ?? 0) > MAX_BODY_CHARS) {
    throw new TypeError('queueMail: body too long')
  }
  const id = randomUUID()
  await insertMail(trx, {
    id,
    tenant_id: tenantId,
    to_address: mail.to,
    template: mail.template,
    subject: mail.subject,
    body_text: mail.text,
    body_html: mail.html ?? null,
    last_error: null,
    sent_at: null,
  })
  return id
}

/** Seconds until the next attempt after `attempts` failed ones: 1 min, 2, 4, ... at most 1 h. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(FIRST_RETRY_SECONDS * 2 ** Math.max(0, attempts - 1), LONGEST_RETRY_SECONDS)
}

/**
 * What went wrong, fit to store and log: nodemailer's error code and the SMTP status, plus the
 * message with anything that looks like an address removed (servers quote the recipient).
 */
export function describeMailError(err: unknown): string {
  const e = (err ?? {}) as { code?: unknown; responseCode?: unknown; message?: unknown }
  const code = typeof e.code === 'string' && /^[A-Z0-9_]{1,32}$/.test(e.code) ? e.code : 'ERROR'
  const status = typeof e.responseCode === 'number' ? ` ${e.responseCode}` : ''
  const message = typeof e.message === 'string' ? e.message : ''
  const cleaned = messageForLog(message.replace(/<[^>]*>/g, '<>'))
  return `${code}${status}${cleaned ? `: ${cleaned}` : ''}`.slice(0, 500)
}

export interface DeliveryReport {
  sent: number
  retried: number
  failed: number
}

type Outcome = keyof DeliveryReport

async function deliverOne(
  ctx: MailContext,
  transport: MailTransport,
  mail: MailRow,
  log: MailLog | undefined,
): Promise<Outcome> {
  let failure: string | null = null
  try {
    await transport.send({
      id: mail.id,
      to: mail.to_address,
      subject: mail.subject,
      text: mail.body_text,
      html: mail.body_html ?? undefined,
    })
  } catch (err) {
    failure = describeMailError(err)
  }
  const { id, tenant_id: tenantId, attempts } = mail
  if (failure === null) {
    await withTenant(ctx.db, tenantId, (trx) => markSent(trx, tenantId, id))
    return 'sent'
  }
  const details = { mailId: id, tenantId, template: mail.template, attempts, error: failure }
  if (attempts >= MAX_ATTEMPTS) {
    await withTenant(ctx.db, tenantId, (trx) => markFailed(trx, tenantId, id, failure))
    log?.warn(details, 'mail delivery failed for good')
    return 'failed'
  }
  const delay = retryDelaySeconds(attempts)
  await withTenant(ctx.db, tenantId, (trx) => scheduleRetry(trx, tenantId, id, delay, failure))
  log?.warn({ ...details, retryInSeconds: delay }, 'mail delivery failed; retry scheduled')
  return 'retried'
}

/**
 * Sends up to `limit` due mails, one per tenant in turn so one busy organisation cannot hold up
 * the rest. Each mail is claimed in a short transaction of its own and sent outside any
 * transaction: a slow SMTP server never holds a database connection.
 */
export async function deliverPending(
  ctx: MailContext,
  transport: MailTransport,
  options: { limit?: number; log?: MailLog } = {},
): Promise<DeliveryReport> {
  const limit = options.limit ?? 50
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0 }
  let done = 0
  while (done < limit) {
    const tenants = await withAppRole(ctx.db.db, ctx.db.appRole, (trx) =>
      tenantsWithMailDue(trx, limit - done),
    )
    let claimed = 0
    for (const tenantId of tenants) {
      if (done >= limit) break
      const mail = await withTenant(ctx.db, tenantId, (trx) =>
        claimDueMail(trx, tenantId, CLAIM_LEASE_SECONDS),
      )
      if (!mail) continue // another loop took it
      claimed += 1
      done += 1
      report[await deliverOne(ctx, transport, mail, options.log)] += 1
    }
    if (claimed === 0) break
  }
  return report
}
