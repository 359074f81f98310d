// IAM-2, AV-3: delivery loops racing over one outbox (several nodes) send each mail exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/support/app.ts'
import { withTenant } from '../../db/tenant.ts'
import { deliverPending, queueMail } from './mail.service.ts'
import { plainSmtpTransport, type SmtpCapture, startSmtpCapture } from './mail.test-support.ts'
import type { MailTransport } from './mail.transport.ts'

let t: TestApp
let smtp: SmtpCapture
let orgs: SignedUp[]
const transports: MailTransport[] = []

beforeAll(async () => {
  t = await createTestApp()
  smtp = await startSmtpCapture()
  orgs = [await signUp(t.app), await signUp(t.app), await signUp(t.app)]
})
afterAll(async () => {
  for (const transport of transports) transport.close()
  await smtp.close()
  await t.close()
})

describe('parallel delivery', () => {
  it('IAM-2: two delivery loops racing send each of 30 mails across 3 tenants exactly once', async () => {
    const ids: string[] = []
    for (const [n, org] of orgs.entries()) {
      const queued = await withTenant(t.database.handle, org.tenant.id, async (trx) => {
        const made: string[] = []
        for (let i = 0; i < 10; i++) {
          made.push(
            await queueMail(trx, org.tenant.id, {
              to: `reader-${n}-${i}@race.example`,
              template: 'race',
              subject: `Race ${n}.${i}`,
              text: `Mail ${n}.${i}`,
            }),
          )
        }
        return made
      })
      ids.push(...queued)
    }
    const loop = () => {
      const transport = plainSmtpTransport(t.config.mail, smtp.url)
      transports.push(transport)
      return deliverPending({ db: t.database.handle }, transport, { limit: 100 })
    }
    const reports = await Promise.all([loop(), loop()])

    expect(reports.reduce((sum, r) => sum + r.sent, 0)).toBe(30)
    expect(reports.every((r) => r.retried === 0 && r.failed === 0)).toBe(true)
    const messageIds = smtp.received.map((r) => r.headers.get('message-id'))
    expect(messageIds).toHaveLength(30)
    expect(new Set(messageIds).size).toBe(30)
    expect(new Set(messageIds)).toEqual(new Set(ids.map((id) => `<${id}@localhost>`)))
    const rows = await t.database.handle.db
      .selectFrom('mail_outbox')
      .select(['status', 'attempts'])
      .where('id', 'in', ids)
      .execute()
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true)
  })
})
