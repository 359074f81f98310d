// DATA-1, SEC-3: the error codes of record import and export (docs/data-import.md lists them).
// Every import error raised once reading has begun carries `details.report`: how many rows were
// read, committed and rejected, and the last row committed, so the caller knows exactly what landed.
import { defineErrors } from '../../http/errors.ts'

export const ImportErrors = defineErrors({
  DATA_IMPORT_FORMAT_UNSUPPORTED: {
    status: 415,
    message:
      'Send the rows as text/csv, application/x-ndjson or application/json (UTF-8; no other charset)',
  },
  DATA_IMPORT_TOO_LARGE: {
    status: 413,
    message:
      'The import is larger than this deployment accepts over HTTP (details.limitBytes); batches committed before the limit stay, nothing after it was committed',
  },
  DATA_IMPORT_FILE_INVALID: {
    status: 422,
    message:
      'The file cannot be read past details.row (details.reason says why); batches committed before that row stay, nothing from it on was committed',
  },
  DATA_IMPORT_REJECTED: {
    status: 422,
    message:
      'Atomic import: some rows do not fit the collection schema (details.report.issues), so nothing was committed',
  },
  DATA_IMPORT_SCHEMA_CHANGED: {
    status: 409,
    message:
      'The collection schema changed while the import ran; batches committed before the change stay, nothing after it was committed',
  },
})
