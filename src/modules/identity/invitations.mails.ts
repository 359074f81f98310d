// IAM-1: the invitation e-mail. Plain text only, like the reset mails: nothing an organisation
// name could inject, and the link shown exactly as it will be opened.
import type { NewMail } from '../mail/mail.service.ts'
import type { UserRole } from './users.table.ts'

/**
 * The console page that takes the token. It travels in the fragment, which browsers never send
 * to a server, so it stays out of access logs, proxies and Referer headers.
 */
export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/accept-invitation#token=${token}`
}

export function invitationMail(
  to: string,
  organisation: string,
  role: UserRole,
  link: string,
  ttlSeconds: number,
): NewMail {
  const days = Math.round(ttlSeconds / 86_400)
  return {
    to,
    template: 'invitation',
    subject: 'You are invited to join an organisation on Rampart',
    text: [
      `An administrator of ${organisation} invited you to join it on Rampart, as ${role}.`,
      '',
      `To accept, open this link within ${days} days and choose a password:`,
      '',
      link,
      '',
      'The link works once. If you did not expect this invitation, ignore this e-mail: no',
      'account is created unless you accept.',
    ].join('\n'),
  }
}
