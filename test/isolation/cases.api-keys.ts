// AUTHZ-5: isolation cases for the api-keys routes, merged into cases.ts.
import type { IsolationCase } from './cases.ts'

export const apiKeysCases: Record<string, IsolationCase> = {}
