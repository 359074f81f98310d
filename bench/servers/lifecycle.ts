// What both benchmark servers share: reading their settings, telling the parent their port, and
// closing cleanly when the parent asks (SIGTERM) or goes away (IPC channel closed).

export interface ListeningMessage {
  type: 'listening'
  port: number
}

export function requireEnv(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set; this server is started by bench/http.ts`)
  return value
}

export function announce(port: number, close: () => Promise<void>): void {
  let closing = false
  const shutdown = (): void => {
    if (closing) return
    closing = true
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err)
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
  process.once('disconnect', shutdown)
  const message: ListeningMessage = { type: 'listening', port }
  if (process.send) process.send(message)
  else console.log(`listening on http://127.0.0.1:${port}`)
}

/** Runs a server's main function, exiting non-zero with the error if it fails to start. */
export function main(start: () => Promise<void>): void {
  start().catch((err: unknown) => {
    console.error(err)
    process.exit(1)
  })
}
