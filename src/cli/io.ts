// Where CLI commands write; tests pass their own to read what was printed.
import { SingleBar } from 'cli-progress'

export interface Progress {
  update(done: number, total: number): void
  stop(): void
}

export interface CliIo {
  out(line: string): void
  err(line: string): void
  /** Reads all of standard input (for --password-stdin). */
  readStdin(): Promise<string>
  /** A progress bar on standard error (long operations such as `keys reencrypt`). */
  progress?(label: string): Progress
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  async readStdin() {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  },
  progress(label) {
    // Not a terminal (a log file, CI): cli-progress prints nothing, so say where it stands.
    if (!process.stderr.isTTY) {
      let last = -1
      return {
        update(done, total) {
          const percent = total === 0 ? 100 : Math.floor((done / total) * 100)
          if (percent >= last + 10 || done === total) {
            last = percent
            process.stderr.write(`${label}: ${done}/${total}\n`)
          }
        },
        stop() {},
      }
    }
    const bar = new SingleBar({
      format: `${label} [{bar}] {percentage}% | {value}/{total} | eta {eta}s`,
      stream: process.stderr,
    })
    let started = false
    return {
      update(done, total) {
        if (!started) bar.start(total, done)
        else bar.setTotal(total)
        started = true
        bar.update(done)
      },
      stop: () => bar.stop(),
    }
  },
}

/** The io's progress bar, or one that reports nothing. */
export function progressOf(io: CliIo, label: string): Progress {
  return io.progress?.(label) ?? { update() {}, stop() {} }
}
