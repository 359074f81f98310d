// AUTHZ-5: isolation cases for the members routes, merged into cases.ts.
import type { IsolationCase } from './cases.ts'

export const membersCases: Record<string, IsolationCase> = {}
