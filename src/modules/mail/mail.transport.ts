// How queued mail leaves Rampart: through SMTP when RAMPART_SMTP_URL is set, otherwise as .eml
// files under <RAMPART_DATA_DIR>/outbox, so that development needs no mail server at all.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import nodemailer, { type SMTPTransportOptions, type Transporter } from 'nodemailer'
import type { MailConfig } from '../../config/config.ts'

export interface OutgoingMail {
  /** The outbox row's id: it becomes the Message-ID, so a resent mail can be recognised. */
  id: string
  to: string
  subject: string
  text: string
  html?: string | undefined
}

export interface MailTransport {
  /** Resolves once the mail is handed over; rejects with the transport's error otherwise. */
  send(mail: OutgoingMail): Promise<void>
  close(): void
}

// A hung SMTP server must not hold a delivery slot for long: the claim lease (mail.service.ts)
// assumes one send finishes well within it.
const CONNECTION_TIMEOUT_MS = 10_000
const GREETING_TIMEOUT_MS = 10_000
const SOCKET_TIMEOUT_MS = 60_000

/**
 * SMTP options from the URL's scheme, host, port and credentials. Query parameters are ignored on
 * purpose: nodemailer would let `?ignoreTLS=true` switch off the STARTTLS requirement.
 */
export function smtpOptions(config: Pick<MailConfig, 'smtpUrl' | 'smtpInsecure'>) {
  if (!config.smtpUrl) throw new TypeError('smtpOptions needs an SMTP URL')
  const url = new URL(config.smtpUrl)
  const secure = url.protocol === 'smtps:'
  const options: SMTPTransportOptions = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    // smtps:// is TLS from the first byte; smtp:// must upgrade with STARTTLS or fail, unless the
    // operator allowed plain SMTP (dev mail catchers). Certificates are always verified.
    secure,
    requireTLS: !secure && !config.smtpInsecure,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
  }
  if (url.username) {
    options.auth = {
      user: decodeURIComponent(url.username),
      pass: decodeURIComponent(url.password),
    }
  }
  return options
}

/** `<id@domain>` with the sender's domain, as RFC 5322 suggests for Message-IDs. */
function messageIdFor(id: string, from: string): string {
  const domain = /@([^\s@<>]+)>?\s*$/.exec(from)?.[1] ?? 'localhost'
  return `<${id}@${domain}>`
}

function message(mail: OutgoingMail, from: string) {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.html ? { html: mail.html } : {}),
    messageId: messageIdFor(mail.id, from),
    // RFC 3834: automatic mail; auto-responders should not answer it.
    headers: { 'Auto-Submitted': 'auto-generated' },
  }
}

function smtpTransport(config: MailConfig): MailTransport {
  const transporter: Transporter = nodemailer.createTransport(smtpOptions(config))
  return {
    async send(mail) {
      await transporter.sendMail(message(mail, config.from))
    },
    close: () => transporter.close(),
  }
}

/** One file per mail, named by its id, readable by the server's user only (mail holds links). */
function fileTransport(config: MailConfig): MailTransport {
  const transporter = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
  })
  return {
    async send(mail) {
      const info = await transporter.sendMail(message(mail, config.from))
      if (!Buffer.isBuffer(info.message)) throw new TypeError('stream transport gave no buffer')
      mkdirSync(config.outboxDir, { recursive: true, mode: 0o700 })
      writeFileSync(join(config.outboxDir, `${mail.id}.eml`), info.message, { mode: 0o600 })
    },
    close: () => transporter.close(),
  }
}

export function createMailTransport(config: MailConfig): MailTransport {
  return config.smtpUrl ? smtpTransport(config) : fileTransport(config)
}

/** Where mail goes, for the start-up log line: never the URL, which may hold a password. */
export function describeTransport(config: MailConfig): string {
  if (!config.smtpUrl) return `files in ${config.outboxDir}`
  const { host, port, secure, requireTLS } = smtpOptions(config)
  return `smtp ${host}:${port} (${secure ? 'TLS' : requireTLS ? 'STARTTLS required' : 'STARTTLS optional'})`
}
