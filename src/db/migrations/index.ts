// Timestamped `up` migrations, applied in name order by `rampart migrate` (and at start in dev).
import type { Migration, MigrationProvider } from 'kysely'
import { foundation } from './20261122T0000_foundation.ts'
import { audit } from './20261123T0000_audit.ts'
import { vault } from './20261124T0000_vault.ts'
import { auditSequencer } from './20261125T0000_audit_sequencer.ts'

export interface MigrationContext {
  /** The non-owner role the application runs as. */
  appRole: string
}

export class RampartMigrations implements MigrationProvider {
  constructor(private readonly ctx: MigrationContext) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      '20261122T0000_foundation': foundation(this.ctx),
      '20261123T0000_audit': audit(this.ctx),
      '20261124T0000_vault': vault(this.ctx),
      '20261125T0000_audit_sequencer': auditSequencer(this.ctx),
    }
  }
}
