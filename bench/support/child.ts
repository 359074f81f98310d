// Starts a benchmark server (bench/servers/*.ts) in its own Node process and waits for its port.
import { type ChildProcess, fork } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { ListeningMessage } from '../servers/lifecycle.ts'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 10_000

export interface ServerProcess {
  name: string
  pid: number | undefined
  url: string
  /** Rejects once the process has exited on its own (a crash while being benchmarked). */
  exited: Promise<never>
  stop(): Promise<void>
}

function isListening(message: unknown): message is ListeningMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'listening' &&
    typeof (message as { port?: unknown }).port === 'number'
  )
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null
}

export async function startServer(
  name: string,
  script: string,
  env: Record<string, string>,
): Promise<ServerProcess> {
  const child = fork(fileURLToPath(new URL(`../servers/${script}`, import.meta.url)), [], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  let stopping = false
  const exited = new Promise<never>((_resolve, reject) => {
    child.once('exit', (code, signal) => {
      if (!stopping) reject(new Error(`${name} server exited (code ${code}, signal ${signal})`))
    })
  })
  // Only observed when someone awaits it; never an unhandled rejection.
  exited.catch(() => undefined)

  const stop = async (): Promise<void> => {
    stopping = true
    if (hasExited(child)) return
    const gone = once(child, 'exit')
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
    try {
      await gone
    } finally {
      clearTimeout(timer)
    }
  }

  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} server did not start within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      )
      child.on('message', (message: unknown) => {
        if (isListening(message)) {
          clearTimeout(timer)
          resolve(message.port)
        }
      })
      exited.catch((err: unknown) => {
        clearTimeout(timer)
        reject(err)
      })
    })
    return { name, pid: child.pid, url: `http://127.0.0.1:${port}`, exited, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
