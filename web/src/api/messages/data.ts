// Messages for the error codes of the data screens (web/src/pages/data/), merged in messages.ts.
export const DATA_MESSAGES: Record<string, string> = {}
