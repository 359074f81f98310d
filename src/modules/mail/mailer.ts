// The delivery loop: every `intervalMs` it sends what the outbox has due. Several nodes may each
// run one; the claim in mail.repository.ts keeps them from sending one mail twice.
import { deliverPending, type MailContext, type MailLog } from './mail.service.ts'
import type { MailTransport } from './mail.transport.ts'

export interface MailerLog extends MailLog {
  error(details: object, message: string): void
}

/** Mails sent per tick at most; the rest wait for the next tick. */
const BATCH = 100

/** Runs deliverPending every `intervalMs`, never two at once, until stopped. */
export function startMailer(
  ctx: MailContext,
  transport: MailTransport,
  intervalMs: number,
  log: MailerLog,
): { stop(): Promise<void> } {
  let stopped = false
  let running: Promise<void> = Promise.resolve()
  let timer: NodeJS.Timeout | undefined
  const tick = () => {
    running = deliverPending(ctx, transport, { limit: BATCH, log })
      .then(
        () => undefined,
        // LOG-6: a database failure here carries no mail content; the error serializer scrubs.
        (err: unknown) => log.error({ err }, 'mail delivery run failed'),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs)
      })
  }
  timer = setTimeout(tick, intervalMs)
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
      transport.close()
    },
  }
}
