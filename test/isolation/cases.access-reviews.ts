// AUTHZ-5: isolation cases for the access-reviews routes, merged into cases.ts.
import type { IsolationCase } from './cases.ts'

export const accessReviewsCases: Record<string, IsolationCase> = {}
