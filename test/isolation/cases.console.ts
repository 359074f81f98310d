// AUTHZ-5: isolation cases for the web console's routes, merged into cases.ts. They serve the
// files built into web/dist, the same bytes to everyone: no tenant data, no session read.
import { CONSOLE_PAGES } from '../../src/http/console.ts'
import type { IsolationCase } from './cases.ts'

const PAGE = {
  kind: 'public',
  reason: 'console screen: the static index.html; data comes only from the API it calls',
} as const

export const consoleCases: Record<string, IsolationCase> = {
  ...Object.fromEntries(CONSOLE_PAGES.map((path) => [`GET ${path}`, PAGE])),
  'GET /assets/:file': {
    kind: 'public',
    reason: 'console scripts, styles and images built into web/dist: static files',
  },
}
