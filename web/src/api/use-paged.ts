// Lists the API pages with a cursor (`?cursor=`, answer `{ <items>, nextCursor }`): the first page
// on load or when the path changes, more on request, appended.
import { useCallback, useEffect, useRef, useState } from 'react'
import { api } from './client.ts'

export interface Paged<T> {
  items: T[]
  error: unknown
  loading: boolean
  hasMore: boolean
  loadMore(): void
  /** Starts again from the first page (after a change). */
  reload(): void
}

/** `key` names the array in the answer (`credentials`, `events`, ...). */
export function usePaged<T>(path: string | null, key: string): Paged<T> {
  const [items, setItems] = useState<T[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [loading, setLoading] = useState(false)
  const latest = useRef(0)

  const fetchPage = useCallback(
    (after: string | null) => {
      if (path === null) return
      const request = ++latest.current
      setLoading(true)
      const separator = path.includes('?') ? '&' : '?'
      const url = after ? `${path}${separator}cursor=${encodeURIComponent(after)}` : path
      api<Record<string, unknown>>('GET', url)
        .then((answer) => {
          if (request !== latest.current) return
          const page = (answer[key] as T[] | undefined) ?? []
          setItems((previous) => (after ? [...previous, ...page] : page))
          setCursor(typeof answer.nextCursor === 'string' ? answer.nextCursor : null)
          setError(null)
        })
        .catch((failure: unknown) => {
          if (request === latest.current) setError(failure)
        })
        .finally(() => {
          if (request === latest.current) setLoading(false)
        })
    },
    [path, key],
  )

  useEffect(() => {
    setItems([])
    setCursor(null)
    fetchPage(null)
  }, [fetchPage])
  useEffect(() => () => void latest.current++, [])

  return {
    items,
    error,
    loading,
    hasMore: cursor !== null,
    loadMore: () => fetchPage(cursor),
    reload: () => fetchPage(null),
  }
}
