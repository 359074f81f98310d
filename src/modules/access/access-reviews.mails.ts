// AUTHZ-4: mails to the organisation's reviewers. Plain text only, like the other notices: the
// organisation's name is the only text that comes from users, and it cannot inject markup.
import type { NewMail } from '../mail/mail.service.ts'

/** The console page of a review. */
export function reviewLink(publicUrl: string, reviewId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/access-reviews/${reviewId}`
}

const day = (d: Date) => d.toISOString().slice(0, 10)

/** The schedule opened a review. */
export function reviewDueMail(
  to: string,
  organisation: string,
  review: { users: number; dueAt: Date; link: string },
): NewMail {
  return {
    to,
    template: 'access_review_due',
    subject: 'An access review of your Rampart organisation is due',
    text: [
      `The periodic access review of ${organisation} has been opened. For each of its`,
      `${review.users} user(s), decide whether they keep their access or lose it, by ${day(review.dueAt)}:`,
      '',
      review.link,
      '',
      'The review lists every user with their role, groups, last sign-in, second factors and',
      'devices as they were when it was opened. A revocation takes effect at once.',
    ].join('\n'),
  }
}

/** An open review is past its due date; sent at most once a day. */
export function reviewOverdueMail(
  to: string,
  organisation: string,
  review: { openedAt: Date; dueAt: Date; undecided: number; link: string },
): NewMail {
  return {
    to,
    template: 'access_review_overdue',
    subject: 'An access review of your Rampart organisation is overdue',
    text: [
      `The access review of ${organisation} opened on ${day(review.openedAt)} was due on`,
      `${day(review.dueAt)}. ${review.undecided} user(s) still await a decision:`,
      '',
      review.link,
      '',
      'Until it is completed no new review opens, and the organisation has no current',
      'evidence of who has access.',
    ].join('\n'),
  }
}
