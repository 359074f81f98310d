// `rampart serve`: start the server and stop it cleanly on SIGTERM or SIGINT.
import type { Config } from '../config/config.ts'
import { startServer } from '../server.ts'
import type { CliIo } from './io.ts'

/** How long in-flight requests get to finish before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000

/** Resolves with the first SIGTERM or SIGINT; the handlers are in place from the start. */
function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal)
      process.off('SIGINT', onSignal)
      resolve(signal)
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
  })
}

export async function serve(config: Config, io: CliIo): Promise<number> {
  // Listening for signals before starting: a signal during start-up then stops the server as soon
  // as it is up, instead of killing the process half-way (AV-1).
  const signal = firstSignal()
  const running = await startServer(config)
  const scheme = config.plainHttp ? 'http' : 'https'
  io.err(`Rampart listening on ${scheme}://${config.host}:${config.httpsPort} (${config.profile})`)
  const received = await signal
  running.app.log.info({ signal: received }, 'shutting down')
  let timer: NodeJS.Timeout | undefined
  const grace = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      io.err('shutdown grace period over; exiting')
      resolve(1)
    }, SHUTDOWN_GRACE_MS)
    timer.unref()
  })
  const stopped = running.stop().then(
    () => 0,
    (err: unknown) => {
      io.err(`shutdown failed: ${(err as Error).message}`)
      return 1
    },
  )
  try {
    return await Promise.race([stopped, grace])
  } finally {
    clearTimeout(timer)
  }
}
