// `rampart serve`: start the server and stop it cleanly on SIGTERM or SIGINT.
import type { Config } from '../config/config.ts'
import { startServer } from '../server.ts'
import type { CliIo } from './io.ts'

/** How long in-flight requests get to finish before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000

export async function serve(config: Config, io: CliIo): Promise<number> {
  const running = await startServer(config)
  const scheme = config.plainHttp ? 'http' : 'https'
  io.err(`Rampart listening on ${scheme}://${config.host}:${config.httpsPort} (${config.profile})`)
  return new Promise<number>((resolve) => {
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      running.app.log.info({ signal }, 'shutting down')
      const force = setTimeout(() => {
        io.err('shutdown grace period over; exiting')
        resolve(1)
      }, SHUTDOWN_GRACE_MS)
      force.unref()
      running.stop().then(
        () => {
          clearTimeout(force)
          resolve(0)
        },
        (err: unknown) => {
          clearTimeout(force)
          io.err(`shutdown failed: ${(err as Error).message}`)
          resolve(1)
        },
      )
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
}
