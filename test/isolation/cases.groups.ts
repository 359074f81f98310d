// AUTHZ-5: isolation cases for the groups routes, merged into cases.ts.
import type { IsolationCase } from './cases.ts'

export const groupsCases: Record<string, IsolationCase> = {}
