// The states around a cursor list (usePaged): its failure, the first page loading, nothing there,
// the rows, and a button for the next page.
import type { ReactNode } from 'react'
import type { Paged } from '../api/use-paged.ts'
import { Empty, ErrorMessage, Loading } from './ui.tsx'

interface PagedListProps<T> {
  list: Paged<T>
  /** A failure of an action on the rows, shown where the list's own failure is. */
  error?: unknown
  /** What the loading message says (`Loading` when not given). */
  loadingText?: string
  /** Shown when the list answered with nothing. */
  empty: ReactNode
  /** The next-page button's text. */
  moreLabel: string
  /** The rows, given only when there is at least one. */
  children(items: T[]): ReactNode
}

export function PagedList<T>({
  list,
  error,
  loadingText,
  empty,
  moreLabel,
  children,
}: PagedListProps<T>) {
  return (
    <>
      <ErrorMessage error={list.error ?? error} />
      {list.loading && list.items.length === 0 ? <Loading what={loadingText} /> : null}
      {!list.loading && !list.error && list.items.length === 0 ? <Empty>{empty}</Empty> : null}
      {list.items.length > 0 ? children(list.items) : null}
      {list.hasMore ? (
        <div className="actions">
          <button type="button" onClick={list.loadMore} disabled={list.loading}>
            {list.loading ? 'Loading…' : moreLabel}
          </button>
        </div>
      ) : null}
    </>
  )
}
