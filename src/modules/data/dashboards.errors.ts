// DATA-1: the codes of dashboards and their widgets (docs/dashboards.md lists them). A widget
// refused at save time names its index in details.widget, the widget property at fault in
// details.property and, when a field is at fault, its key in details.field.
import { defineErrors } from '../../http/errors.ts'

export const DashboardErrors = defineErrors({
  // Need to know (AUTHZ-2): a dashboard of another organisation, or one the caller was not
  // granted, gets the same answer as one that never existed.
  DATA_DASHBOARD_NOT_FOUND: { status: 404, message: 'No dashboard with that id' },
  DATA_DASHBOARD_NAME_INVALID: {
    status: 422,
    message:
      'A dashboard name has 1 to 100 characters once trimmed and NFC-normalised, and no control or direction characters',
  },
  DATA_DASHBOARD_DESCRIPTION_INVALID: {
    status: 422,
    message:
      'A description has at most 500 characters once NFC-normalised, and no control characters but line breaks and tabs',
  },
  DATA_DASHBOARD_VERSION_CONFLICT: {
    status: 409,
    message: 'The dashboard changed since expectedVersion; read it again and re-apply the change',
  },
  DATA_DASHBOARD_LIMIT_REACHED: {
    status: 409,
    message: 'The organisation has as many dashboards as allowed; delete one first',
  },
  DATA_WIDGET_INVALID: {
    status: 422,
    message:
      'A widget breaks a rule; details.widget is its index, details.property the part at fault',
  },
  DATA_WIDGET_COLLECTION_NOT_FOUND: {
    status: 422,
    message:
      'A widget names a collection that does not exist or that you may not view; details.widget is its index',
  },
  DATA_WIDGET_FIELD_UNKNOWN: {
    status: 422,
    message: 'A widget names a field its collection does not have; details.field is the key',
  },
  // KMS-2: personal and sensitive values are stored only encrypted and never aggregated.
  DATA_WIDGET_FIELD_PROTECTED: {
    status: 422,
    message:
      'A widget names a personal or sensitive field; widgets use only public and internal fields',
  },
  DATA_WIDGET_FIELD_UNSUITABLE: {
    status: 422,
    message:
      'A widget field has the wrong type: sum, avg, min and max need a number field; groupBy a text, enum, boolean or date field; timeField a date field or createdAt',
  },
  DATA_WIDGET_THRESHOLD_TOO_LOW: {
    status: 422,
    message: "A widget's minGroupSize is below the deployment's threshold; it may only raise it",
  },
})
