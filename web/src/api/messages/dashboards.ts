// Messages for the error codes of the dashboards screens (web/src/pages/dashboards/), merged in messages.ts.
export const DASHBOARDS_MESSAGES: Record<string, string> = {}
