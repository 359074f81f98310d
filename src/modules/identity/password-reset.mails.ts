// The two e-mails of a password reset. Plain text only: no HTML means nothing an organisation
// name could inject, and the link is shown exactly as it will be opened.
import type { NewMail } from '../mail/mail.service.ts'

/**
 * The console page that takes the token. It travels in the fragment, which browsers never send
 * to a server, so it stays out of access logs, proxies and Referer headers.
 */
export function resetLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/reset-password#token=${token}`
}

export function resetRequestedMail(
  to: string,
  organisation: string,
  link: string,
  ttlSeconds: number,
): NewMail {
  const minutes = Math.round(ttlSeconds / 60)
  return {
    to,
    template: 'password_reset',
    subject: 'Reset your Rampart password',
    text: [
      `Someone, hopefully you, asked to reset the password of your account at ${organisation}.`,
      '',
      `To choose a new password, open this link within ${minutes} minutes:`,
      '',
      link,
      '',
      'The link works once. If you did not ask for this, ignore this e-mail: your password',
      'stays as it is.',
    ].join('\n'),
  }
}

export function passwordChangedMail(
  to: string,
  organisation: string,
  at: Date,
  ip: string,
): NewMail {
  return {
    to,
    template: 'password_changed',
    subject: 'Your Rampart password was changed',
    text: [
      `The password of your account at ${organisation} was reset on ${at.toISOString()}`,
      `from the address ${ip}. Every session of the account has been signed out.`,
      '',
      "If this was not you, tell your organisation's administrator at once.",
    ].join('\n'),
  }
}
