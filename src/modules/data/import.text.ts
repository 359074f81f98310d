// SEC-3, SEC-4: the bytes of an import body become text here, counted and checked on the way.
// The limit is enforced on the bytes as they arrive, so an oversize body is refused without ever
// being held whole; bytes that are not UTF-8 stop the file instead of turning silently into U+FFFD
// (the stored text would not be what was sent). A leading byte-order mark is dropped.
import { ImportFileError, ImportTooLarge } from './import.rows.ts'

export interface CountedText {
  /** The body as text, chunk by chunk. */
  chunks: AsyncGenerator<string>
  /** Bytes read so far. */
  bytes(): number
}

export function countedText(
  body: AsyncIterable<Buffer | Uint8Array | string>,
  maxBytes: number | undefined,
): CountedText {
  let bytes = 0
  async function* chunks(): AsyncGenerator<string> {
    const decoder = new TextDecoder('utf-8', { fatal: true })
    const decode = (chunk?: Uint8Array): string => {
      try {
        return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode()
      } catch {
        throw new ImportFileError('invalid_utf8', 'The file is not valid UTF-8 text')
      }
    }
    // The body's own failures (a connection lost mid-upload, a file that cannot be read) stop
    // the file like any other problem, so the caller still learns what was committed. When the
    // import stops early the body is left as it is, not destroyed: destroying a request would
    // reset the connection before the answer saying what was committed could be sent; its owner
    // ends it (the route answers with Connection: close, the CLI closes its file).
    const source = body[Symbol.asyncIterator]()
    for (;;) {
      let next: IteratorResult<Buffer | Uint8Array | string>
      try {
        next = await source.next()
      } catch {
        throw new ImportFileError('upload_interrupted', 'The body ended before the file did')
      }
      if (next.done) break
      const chunk = next.value
      const raw = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
      bytes += raw.byteLength
      if (maxBytes !== undefined && bytes > maxBytes) throw new ImportTooLarge(maxBytes)
      const text = decode(raw)
      if (text) yield text
    }
    const rest = decode()
    if (rest) yield rest
  }
  return { chunks: chunks(), bytes: () => bytes }
}
