// DATA-1..DATA-4: the data module's error codes (docs/data.md lists them with examples).
import { defineErrors } from '../../http/errors.ts'

export const DataErrors = defineErrors({
  // Need to know (AUTHZ-2): a collection of another organisation, a locked one, or one the caller
  // was not granted gets the same answer as one that never existed.
  DATA_COLLECTION_NOT_FOUND: { status: 404, message: 'No collection with that id' },
  DATA_RECORD_NOT_FOUND: { status: 404, message: 'No record with that id in this collection' },
  DATA_VALUE_INVALID: {
    status: 422,
    message:
      'A value does not fit the collection schema; details.field names the first field, details.issues lists every problem',
  },
  DATA_FIELD_NOT_QUERYABLE: {
    status: 422,
    message:
      'Personal and sensitive fields are stored only encrypted: they cannot be filtered or sorted on (use subject= for the data-subject field)',
  },
  DATA_FIELD_UNKNOWN: {
    status: 422,
    message: 'The collection has no field with that key; details.field names it',
  },
  DATA_FILTER_INVALID: {
    status: 400,
    message: 'A filter is not field:op:value with a known operator and a value of the field type',
  },
  DATA_SORT_INVALID: {
    status: 400,
    message: 'sort is a field key, createdAt or updatedAt, optionally prefixed with -',
  },
  DATA_CURSOR_INVALID: {
    status: 400,
    message: 'The cursor is not one this API returned for this same query',
  },
  DATA_SUBJECT_UNSUPPORTED: {
    status: 422,
    message: 'The collection has no data-subject field, so subject= cannot be used',
  },
  DATA_SCHEMA_INVALID: {
    status: 422,
    message:
      'The field list breaks a schema rule; details.field names the field and details.issue the rule',
  },
  DATA_FIELD_CHANGE_REFUSED: {
    status: 409,
    message:
      "An existing field's type and classification never change: add a new field (with a new key) instead",
  },
  DATA_SCHEMA_VERSION_CONFLICT: {
    status: 409,
    message:
      'The collection schema changed since expectedVersion; read it again and re-apply the change',
  },
  DATA_RECORD_REVISION_CONFLICT: {
    status: 409,
    message: 'The record changed since expectedRevision; read it again and re-apply the change',
  },
  DATA_COLLECTION_NAME_INVALID: {
    status: 422,
    message:
      'A collection name has 1 to 100 characters once trimmed and NFC-normalised, and no control or direction characters',
  },
  DATA_COLLECTION_DESCRIPTION_INVALID: {
    status: 422,
    message:
      'A description has at most 500 characters once NFC-normalised, and no control characters but line breaks and tabs',
  },
  DATA_COLLECTION_NAME_TAKEN: {
    status: 409,
    message: 'A live collection already has that name (compared ignoring letter case)',
  },
  DATA_COLLECTION_LOCKED: {
    status: 409,
    message: 'The record belongs to a deleted collection: restore the collection first',
  },
  DATA_NOT_DELETED: { status: 404, message: 'Nothing deleted and restorable with that id' },
  // KMS-2, KMS-5: values that must be stored encrypted cannot be stored without the tenant key.
  DATA_KEY_UNAVAILABLE: {
    status: 409,
    message: "The organisation's encryption key is unavailable; personal values cannot be handled",
  },
  // KMS-2: a ciphertext moved to another record, field or tenant, or altered, fails its check.
  DATA_RECORD_UNREADABLE: {
    status: 409,
    message:
      'A stored value of the record does not decrypt for this record and field: it was altered or moved in the database',
  },
})
