// Test support: a real SMTP server (smtp-server) on 127.0.0.1 that keeps what it receives, a
// transport to it, and a small MIME reader for the messages nodemailer writes.
import type { AddressInfo } from 'node:net'
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'
import type { MailConfig } from '../../config/config.ts'
import { createMailTransport, type MailTransport } from './mail.transport.ts'

export interface CapturedMail {
  envelope: { from: string; to: string[] }
  /** Header names in lower case; the last value of a repeated header. */
  headers: Map<string, string>
  text: string
  html: string | undefined
  raw: string
}

export interface SmtpCapture {
  port: number
  url: string
  received: CapturedMail[]
  close(): Promise<void>
}

export interface CaptureOptions {
  /** Listen on this port (to bring a server "back" where one was). */
  port?: number
  /** Offer STARTTLS (with smtp-server's built-in test certificate). Off by default. */
  startTls?: boolean
  /** Require these credentials (AUTH over plain text, test only). */
  auth?: { user: string; pass: string }
  /** Refuse every recipient with this SMTP reply. */
  refuseRecipients?: { code: number; message: string }
}

export async function startSmtpCapture(options: CaptureOptions = {}): Promise<SmtpCapture> {
  const received: CapturedMail[] = []
  const disabled = [...(options.startTls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])]
  const serverOptions: SMTPServerOptions = {
    logger: false,
    disabledCommands: disabled,
    authOptional: !options.auth,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      const ok = auth.username === options.auth?.user && auth.password === options.auth?.pass
      callback(ok ? null : new Error('Invalid username or password'), ok ? { user: 1 } : undefined)
    },
    onRcptTo(_address, _session, callback) {
      const refusal = options.refuseRecipients
      if (!refusal) return callback()
      callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        }
        received.push({ envelope, raw, ...parseMessage(raw) })
        callback()
      })
    },
  }
  const server = new SMTPServer(serverOptions)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.server.address() as AddressInfo).port
  const credentials = options.auth ? `${options.auth.user}:${options.auth.pass}@` : ''
  return {
    port,
    url: `smtp://${credentials}127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** A transport to `url` with plain SMTP allowed, as a dev mail catcher would need. */
export function plainSmtpTransport(config: MailConfig, url: string): MailTransport {
  return createMailTransport({ ...config, smtpUrl: url, smtpInsecure: true })
}

/** A port nothing listens on: SMTP "down". */
export async function closedPort(): Promise<number> {
  const capture = await startSmtpCapture()
  await capture.close()
  return capture.port
}

interface Part {
  headers: Map<string, string>
  body: string
}

function splitPart(raw: string): Part {
  const end = raw.search(/\r?\n\r?\n/)
  const head = end < 0 ? raw : raw.slice(0, end)
  const body = end < 0 ? '' : raw.slice(end).replace(/^\r?\n\r?\n/, '')
  const headers = new Map<string, string>()
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  return { headers, body }
}

function decodeBody(part: Part): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase()
  let text = part.body
  if (encoding === 'base64') text = Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8')
  if (encoding === 'quoted-printable') {
    const bytes = text
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16)),
      )
    text = Buffer.from(bytes, 'latin1').toString('utf8')
  }
  return text.replace(/\r\n/g, '\n').replace(/\n$/, '')
}

function parseMessage(raw: string): Pick<CapturedMail, 'headers' | 'text' | 'html'> {
  const top = splitPart(raw)
  const type = top.headers.get('content-type') ?? 'text/plain'
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1]
  if (!boundary) return { headers: top.headers, text: decodeBody(top), html: undefined }
  const parts = top.body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((p) => splitPart(p.replace(/^\r?\n/, '')))
  const find = (mime: string) => parts.find((p) => p.headers.get('content-type')?.startsWith(mime))
  const text = find('text/plain')
  const html = find('text/html')
  return {
    headers: top.headers,
    text: text ? decodeBody(text) : '',
    html: html ? decodeBody(html) : undefined,
  }
}
