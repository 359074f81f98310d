import type { Generated, Insertable, Selectable } from 'kysely'

export type MailStatus = 'pending' | 'sent' | 'failed'

export interface MailOutboxTable {
  id: string
  tenant_id: string
  to_address: string
  /** Which kind of mail this is (`password_reset`, ...), for operators; never the content. */
  template: string
  subject: string
  /** Cleared to '' once the mail is sent or given up on: bodies may hold one-time links. */
  body_text: string
  body_html: string | null
  status: Generated<MailStatus>
  /** Delivery attempts started so far, counted when an attempt claims the mail. */
  attempts: Generated<number>
  next_attempt_at: Generated<Date>
  /** The last failure as an error code and SMTP status, never an address (LOG-6). */
  last_error: string | null
  created_at: Generated<Date>
  sent_at: Date | null
}

export type MailRow = Selectable<MailOutboxTable>
export type NewMailRow = Insertable<MailOutboxTable>
