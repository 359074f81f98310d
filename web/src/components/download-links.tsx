// Downloads from the API as plain same-origin links: the browser sends the session cookie (a GET
// needs no CSRF token) and saves the file under the name the API gives it.
import type { ReactNode } from 'react'

/** A format the endpoint offers (`?format=`) and the link's text. */
export type DownloadFormat = readonly [format: string, label: string]

/**
 * The link to `path` (whose ids the caller encoded, as collectionPath does) for one format, with
 * the other query values (filters) kept; URLSearchParams encodes every value.
 */
export function downloadHref(path: string, format: string, query?: URLSearchParams): string {
  const params = new URLSearchParams(query)
  params.set('format', format)
  return `${path}?${params}`
}

interface DownloadLinksProps {
  path: string
  formats: readonly DownloadFormat[]
  query?: URLSearchParams
  /**
   * Given, the links follow it in one sentence, separated by dots (`className` styles it);
   * without it they are buttons in an actions row.
   */
  intro?: ReactNode
  className?: string
}

export function DownloadLinks({ path, formats, query, intro, className }: DownloadLinksProps) {
  if (intro === undefined) {
    return (
      <div className={className ? `actions ${className}` : 'actions'}>
        {formats.map(([format, label]) => (
          <a key={format} className="button" href={downloadHref(path, format, query)} download>
            {label}
          </a>
        ))}
      </div>
    )
  }
  return (
    <p className={className}>
      {intro}{' '}
      {formats.map(([format, label], index) => (
        <span key={format}>
          {index > 0 ? ' · ' : null}
          <a href={downloadHref(path, format, query)} download>
            {label}
          </a>
        </span>
      ))}
    </p>
  )
}
