// IAM-1, IAM-7: invitations, ownership transfers and account removal.
import type { Kysely } from 'kysely'
import type { MigrationContext } from './index.ts'

export function members(_ctx: MigrationContext) {
  return {
    async up(_db: Kysely<unknown>): Promise<void> {},
  }
}
