// DATA-1: export links (records.export). Plain links: the browser sends the session cookie and
// saves the download the API names; the export is audited (collection.export).
import { type DownloadFormat, DownloadLinks } from '../../components/download-links.tsx'
import { collectionPath } from './types.ts'

const FORMATS: readonly DownloadFormat[] = [
  ['csv', 'CSV'],
  ['json', 'JSON'],
  ['ndjson', 'NDJSON'],
]

export function ExportLinks({ collectionId }: { collectionId: string }) {
  return (
    <DownloadLinks
      path={`${collectionPath(collectionId)}/export`}
      formats={FORMATS}
      intro="Export the records (decrypted, so handle the file with care):"
      className="data-export"
    />
  )
}
