// Test support for the password reset suites: an app whose outbox is delivered to a real SMTP
// server on 127.0.0.1, and helpers to ask for a reset, read the link from the mail and confirm.
import { createTestApp, type SignedUp, type TestApp } from '../../../test/support/app.ts'
import type { App } from '../../app.ts'
import { type DeliveryReport, deliverPending } from '../mail/mail.service.ts'
import {
  type CapturedMail,
  plainSmtpTransport,
  type SmtpCapture,
  startSmtpCapture,
} from '../mail/mail.test-support.ts'
import type { MailTransport } from '../mail/mail.transport.ts'

export const NEW_PASSWORD = 'copper-Lantern-58-softly-Meadow'

export interface ResetTestApp extends TestApp {
  smtp: SmtpCapture
  /** Sends everything the outbox has due to the capturing SMTP server. */
  deliver(): Promise<DeliveryReport>
}

export async function createResetTestApp(
  env: Record<string, string> = {},
  options: { captureLogs?: boolean } = {},
): Promise<ResetTestApp> {
  const t = await createTestApp({
    ...options,
    env: {
      // Limits get tests of their own with low values.
      RAMPART_RATE_LIMIT_PASSWORD_RESET: '100000',
      RAMPART_PASSWORD_RESET_MAX_PER_HOUR: '100',
      ...env,
    },
  })
  const smtp = await startSmtpCapture()
  const transport: MailTransport = plainSmtpTransport(t.config.mail, smtp.url)
  return {
    ...t,
    smtp,
    deliver: () => deliverPending({ db: t.database.handle }, transport, { log: t.app.log }),
    async close() {
      transport.close()
      await smtp.close()
      await t.close()
    },
  }
}

export function requestReset(app: App, payload: unknown) {
  return app.inject({ method: 'POST', url: '/api/v1/password-reset', payload: payload as object })
}

export function confirmReset(app: App, payload: unknown) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/password-reset/confirm',
    payload: payload as object,
  })
}

export function mailsTo(smtp: SmtpCapture, address: string): CapturedMail[] {
  return smtp.received.filter((m) => m.envelope.to.includes(address))
}

/** The token of the reset link in a mail's text. */
export function tokenIn(mail: CapturedMail | undefined): string {
  const token = /\/reset-password#token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1]
  if (!token) throw new Error(`no reset link in the mail: ${mail?.text}`)
  return token
}

/** Asks for a reset for the owner, delivers the mail and returns the token from its link. */
export async function resetTokenFor(t: ResetTestApp, who: SignedUp): Promise<string> {
  const res = await requestReset(t.app, { tenant: who.tenant.slug, email: who.owner.email })
  if (res.statusCode !== 202) throw new Error(`reset request failed: ${res.statusCode} ${res.body}`)
  await t.deliver()
  const resets = mailsTo(t.smtp, who.owner.email).filter(
    (m) => m.headers.get('subject') === 'Reset your Rampart password',
  )
  return tokenIn(resets.at(-1))
}

export function signInWith(app: App, who: SignedUp, password: string) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    payload: { tenant: who.tenant.slug, email: who.owner.email, password, mode: 'bearer' },
  })
}
