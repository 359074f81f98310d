// SEC-4: the in-memory counter behind the rate limits. The plugin's bundled store hands out its
// live counter object, so requests arriving together all read the final count and every one of
// them is refused; this store answers with a snapshot taken at the moment of each increment.
import type { FastifyRateLimitStore } from '@fastify/rate-limit'

interface Window {
  count: number
  startedMs: number
}

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void

/** Fixed-window counters per key, at most `capacity` keys (the least recently used go first). */
export class SnapshotRateLimitStore implements FastifyRateLimitStore {
  readonly #windows = new Map<string, Window>()
  readonly capacity = 10_000

  incr(key: string, callback: Callback, timeWindow: number): void {
    const now = Date.now()
    let window = this.#windows.get(key)
    if (!window || window.startedMs + timeWindow <= now) window = { count: 0, startedMs: now }
    window.count += 1
    this.#windows.delete(key) // re-insert: Map order becomes least-recently-used first
    this.#windows.set(key, window)
    if (this.#windows.size > this.capacity) {
      const oldest = this.#windows.keys().next().value
      if (oldest !== undefined) this.#windows.delete(oldest)
    }
    callback(null, { current: window.count, ttl: window.startedMs + timeWindow - now })
  }

  read(key: string, callback: Callback, timeWindow: number): void {
    const now = Date.now()
    const window = this.#windows.get(key)
    if (!window || window.startedMs + timeWindow <= now) callback(null, { current: 0, ttl: 0 })
    else callback(null, { current: window.count, ttl: window.startedMs + timeWindow - now })
  }

  child(): FastifyRateLimitStore {
    return new SnapshotRateLimitStore()
  }
}
