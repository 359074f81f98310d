// Messages for the error codes of the data screens (web/src/pages/data/), merged in messages.ts.
// The codes are those of src/modules/data/errors.ts and import.errors.ts (docs/data.md,
// docs/data-import.md).
export const DATA_MESSAGES: Record<string, string> = {
  DATA_COLLECTION_NOT_FOUND:
    'This collection does not exist, was deleted, or is not shared with you.',
  DATA_RECORD_NOT_FOUND: 'This record does not exist any more, or was deleted.',
  DATA_NOT_DELETED: 'Nothing to restore: it is not deleted, or it was already purged for good.',
  DATA_VALUE_INVALID: 'Some values do not fit the collection. Check the fields listed below.',
  DATA_FIELD_NOT_QUERYABLE:
    'Personal and sensitive fields are stored encrypted: they cannot be filtered or sorted on.',
  DATA_FIELD_UNKNOWN: 'The collection has no such field any more. Reload the page.',
  DATA_FILTER_INVALID:
    'A filter does not fit its field: check the value has the field’s type (a number, a date as YYYY-MM-DD, yes or no).',
  DATA_SORT_INVALID: 'That sort order is not possible.',
  DATA_CURSOR_INVALID: 'The list changed while paging. Apply the filters again.',
  DATA_SUBJECT_UNSUPPORTED: 'This collection has no data-subject field to search by.',
  DATA_SCHEMA_INVALID: 'The field list breaks a rule. Check the keys, labels and options.',
  DATA_FIELD_CHANGE_REFUSED:
    'A field’s type and classification never change once it exists, and only a field added in the same change can become the data-subject field. Add a new field with a new key instead.',
  DATA_SCHEMA_VERSION_CONFLICT:
    'Someone changed this collection meanwhile. Reload the page and make your change again.',
  DATA_RECORD_REVISION_CONFLICT:
    'Someone changed this record meanwhile. Close the form, reload and make your change again.',
  DATA_COLLECTION_NAME_INVALID:
    'A collection name has 1 to 100 characters, on one line, without control characters.',
  DATA_COLLECTION_DESCRIPTION_INVALID:
    'A description has at most 500 characters and no control characters.',
  DATA_COLLECTION_NAME_TAKEN: 'Another collection already has that name. Choose another.',
  DATA_COLLECTION_LOCKED:
    'This record belongs to a deleted collection: restore the collection first.',
  DATA_KEY_UNAVAILABLE:
    'The organisation’s encryption key is unavailable, so personal values cannot be handled.',
  DATA_RECORD_UNREADABLE:
    'A stored value of a record failed its integrity check (it was altered or moved in the database). Tell your administrator.',
  DATA_IMPORT_FORMAT_UNSUPPORTED: 'Choose a CSV, NDJSON or JSON file in UTF-8.',
  DATA_IMPORT_TOO_LARGE:
    'The file is larger than this server accepts. Split it, or ask the operator to import it.',
  DATA_IMPORT_FILE_INVALID:
    'The file cannot be read past a certain row: rows before it that were committed stay, nothing from it on was imported.',
  DATA_IMPORT_REJECTED:
    'Some rows do not fit the collection, so nothing was imported (all or nothing). Fix the rows listed below and try again.',
  DATA_IMPORT_SCHEMA_CHANGED:
    'The collection’s fields changed during the import. What was committed before stays; import the remaining rows again.',
}

/** What each problem of an import report means (row issues and file-level reasons). */
export const DATA_IMPORT_ISSUES: Record<string, string> = {
  required: 'A required field has no value.',
  wrong_type: 'The value is not of the field’s type.',
  too_long: 'The value is too long.',
  unsafe_text: 'The text holds control or direction characters.',
  not_finite: 'The number is not a finite number.',
  out_of_range: 'The number is too large.',
  invalid_date: 'Not a real date as YYYY-MM-DD.',
  invalid_email: 'Not an e-mail address.',
  not_an_option: 'Not one of the field’s options.',
  unknown_field: 'The collection has no such field.',
  cell_count: 'The row has more or fewer cells than the header.',
  malformed_line: 'The line is not valid JSON.',
  not_an_object: 'The row is not a JSON object.',
  row_too_large: 'The row is too large.',
  unknown_column: 'A column of the header is not a field of the collection.',
  duplicate_column: 'A column appears twice in the header.',
  missing_column: 'A required field has no column.',
  empty_column_name: 'A column of the header has no name.',
  missing_header: 'The file has no header row.',
  malformed_csv: 'The CSV is malformed (a quote is not closed, for example).',
  not_an_array: 'A JSON file must be one array of objects.',
  malformed_json: 'The JSON is malformed from here on.',
  invalid_utf8: 'The file is not UTF-8 text.',
  upload_interrupted: 'The upload was interrupted.',
}
