// Reading from the API into a screen: the answer, the failure and a reload, with answers that
// arrive after the screen moved on (or after a newer request) dropped rather than shown.
import { useCallback, useEffect, useRef, useState } from 'react'
import { api } from './client.ts'

export interface Loaded<T> {
  data: T | null
  error: unknown
  loading: boolean
  /** Reads again, keeping the current data on screen until the answer comes. */
  reload(): void
}

/** GET `path` whenever it changes; `null` waits (a screen still choosing what to read). */
export function useApi<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [loading, setLoading] = useState(path !== null)
  const [round, setRound] = useState(0)
  const latest = useRef(0)
  // biome-ignore lint/correctness/useExhaustiveDependencies: round asks for a reload
  useEffect(() => {
    if (path === null) return
    const request = ++latest.current
    setLoading(true)
    api<T>('GET', path)
      .then((answer) => {
        if (request !== latest.current) return
        setData(answer)
        setError(null)
      })
      .catch((failure: unknown) => {
        if (request === latest.current) setError(failure)
      })
      .finally(() => {
        if (request === latest.current) setLoading(false)
      })
  }, [path, round])
  // A screen that goes away must not take a late answer.
  useEffect(() => () => void latest.current++, [])
  const reload = useCallback(() => setRound((n) => n + 1), [])
  return { data, error, loading, reload }
}
