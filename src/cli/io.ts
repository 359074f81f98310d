// Where CLI commands write; tests pass their own to read what was printed.
export interface CliIo {
  out(line: string): void
  err(line: string): void
  /** Reads all of standard input (for --password-stdin). */
  readStdin(): Promise<string>
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  async readStdin() {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  },
}
