// IAM-9: API keys, stored hashed, scoped, expiring and revocable.
import type { Kysely } from 'kysely'
import type { MigrationContext } from './index.ts'

export function apiKeys(_ctx: MigrationContext) {
  return {
    async up(_db: Kysely<unknown>): Promise<void> {},
  }
}
