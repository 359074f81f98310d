// DATA-1: export links (records.export). Plain links: the browser sends the session cookie and
// saves the download the API names; the export is audited (collection.export).
import { collectionPath } from './types.ts'

const FORMATS = [
  ['csv', 'CSV'],
  ['json', 'JSON'],
  ['ndjson', 'NDJSON'],
] as const

export function ExportLinks({ collectionId }: { collectionId: string }) {
  return (
    <p className="data-export">
      Export the records (decrypted, so handle the file with care):{' '}
      {FORMATS.map(([format, label], index) => (
        <span key={format}>
          {index > 0 ? ' · ' : null}
          <a href={`${collectionPath(collectionId)}/export?format=${format}`} download>
            {label}
          </a>
        </span>
      ))}
    </p>
  )
}
