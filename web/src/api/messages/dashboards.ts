// Messages for the error codes of the dashboards screens (web/src/pages/dashboards/), merged in
// messages.ts: dashboards and widgets (src/modules/data/dashboards.errors.ts) and kiosk links
// (src/modules/access/kiosk-links.errors.ts). The group grants used for sharing have theirs in
// admin.ts, with the groups screens.
export const DASHBOARDS_MESSAGES: Record<string, string> = {
  DATA_DASHBOARD_NOT_FOUND:
    'This dashboard does not exist, was deleted, or is not shared with any of your groups.',
  DATA_DASHBOARD_NAME_INVALID:
    'A dashboard name needs 1 to 100 characters on one line, without control characters.',
  DATA_DASHBOARD_DESCRIPTION_INVALID:
    'The description can have at most 500 characters, without control characters.',
  DATA_DASHBOARD_VERSION_CONFLICT:
    'Someone else changed this dashboard while you were editing it. Reload it to see their change, then make yours again.',
  DATA_DASHBOARD_LIMIT_REACHED:
    'Your organisation has as many dashboards as allowed (500). Delete one first.',
  DATA_WIDGET_INVALID:
    'A widget is not complete: check its title, its aggregate and field, and its date range.',
  DATA_WIDGET_COLLECTION_NOT_FOUND:
    'A widget reads a collection that no longer exists or that you may not view. Choose another collection or remove the widget.',
  DATA_WIDGET_COLLECTION_UNAVAILABLE:
    'The collection of this widget is deleted or unavailable; it shows again once the collection is restored.',
  DATA_WIDGET_FIELD_UNKNOWN:
    'A widget names a field its collection no longer has. Choose another field or remove the widget.',
  DATA_WIDGET_FIELD_PROTECTED:
    'A widget names a personal or sensitive field. Those are never added up or shown: use a public or internal field.',
  DATA_WIDGET_FIELD_UNSUITABLE:
    'A widget field has the wrong type: sum, average, minimum and maximum need a number field; grouping needs a text, choice, yes/no or date field.',
  DATA_WIDGET_THRESHOLD_TOO_LOW:
    'The minimum group size can only be raised above your deployment’s, never lowered.',
  ACCESS_KIOSK_LINK_NOT_FOUND: 'That kiosk link no longer exists.',
  ACCESS_KIOSK_NAME_INVALID:
    'A kiosk link name needs 1 to 100 characters on one line, without control characters.',
  ACCESS_KIOSK_DASHBOARDS_INVALID: 'A kiosk link shows 1 to 20 dashboards, each once.',
  ACCESS_KIOSK_DASHBOARD_NOT_FOUND: 'One of the dashboards of this link no longer exists.',
  ACCESS_KIOSK_EXPIRY_INVALID: 'The expiry must be in the future and at most 5 years ahead.',
  ACCESS_KIOSK_CIDR_INVALID:
    'An allowed address is not a valid IPv4 or IPv6 address or range (like 203.0.113.0/24), or is listed twice.',
  ACCESS_KIOSK_LIMIT_REACHED:
    'Your organisation has as many live kiosk links as allowed (100). Revoke one first.',
}
