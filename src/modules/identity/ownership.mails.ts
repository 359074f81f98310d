// IAM-7: the mails of an ownership transfer. Plain text only; the link carries no secret, since
// accepting needs the recipient's own session and a fresh sign-in.
import type { NewMail } from '../mail/mail.service.ts'

export function transferLink(publicUrl: string, transferId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/ownership-transfers/${transferId}`
}

export function transferOfferMail(
  to: string,
  organisation: string,
  link: string,
  ttlSeconds: number,
): NewMail {
  const days = Math.round(ttlSeconds / 86_400)
  return {
    to,
    template: 'ownership_transfer_offer',
    subject: 'You are offered ownership of an organisation on Rampart',
    text: [
      `An owner of ${organisation} offers to make you an owner in their place.`,
      '',
      `To accept or decline, sign in and open this page within ${days} days:`,
      '',
      link,
      '',
      'Nothing changes unless you accept. If you did not expect this, decline it, or ignore this',
      'e-mail and the offer lapses.',
    ].join('\n'),
  }
}

export function transferAnsweredMail(to: string, organisation: string, accepted: boolean): NewMail {
  return {
    to,
    template: accepted ? 'ownership_transfer_accepted' : 'ownership_transfer_declined',
    subject: accepted
      ? 'Your ownership transfer was accepted'
      : 'Your ownership transfer was declined',
    text: accepted
      ? [
          `The user you offered ownership of ${organisation} to accepted it. They are an owner`,
          'now, and you are an admin.',
        ].join('\n')
      : `The user you offered ownership of ${organisation} to declined it. Nothing changed.`,
  }
}
