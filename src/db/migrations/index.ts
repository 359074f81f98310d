// Timestamped `up` migrations, applied in name order by `rampart migrate` (and at start in dev).
import type { Migration, MigrationProvider } from 'kysely'
import { foundation } from './20261122T0000_foundation.ts'
import { audit } from './20261123T0000_audit.ts'
import { vault } from './20261124T0000_vault.ts'
import { auditSequencer } from './20261125T0000_audit_sequencer.ts'
import { mail } from './20261126T0000_mail.ts'
import { passwordReset } from './20261126T0001_password_reset.ts'
import { mfa } from './20261126T0100_mfa.ts'
import { signInProtection } from './20261126T0400_sign_in_protection.ts'
import { signInMfa } from './20261201T0000_sign_in_mfa.ts'
import { tenantDeletion } from './20261201T0100_tenant_deletion.ts'
import { passkeys } from './20261201T0200_passkeys.ts'
import { ipAllowlist } from './20261201T0300_ip_allowlist.ts'
import { members } from './20261201T0400_members.ts'
import { groups } from './20261201T0500_groups.ts'
import { apiKeys } from './20261201T0600_api_keys.ts'
import { accessReviews } from './20261201T0700_access_reviews.ts'
import { collections } from './20261201T0800_collections.ts'
import { dashboards } from './20261201T0900_dashboards.ts'

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
      '20261126T0000_mail': mail(this.ctx),
      '20261126T0001_password_reset': passwordReset(this.ctx),
      '20261126T0100_mfa': mfa(this.ctx),
      '20261126T0400_sign_in_protection': signInProtection(this.ctx),
      '20261201T0000_sign_in_mfa': signInMfa(this.ctx),
      '20261201T0100_tenant_deletion': tenantDeletion(this.ctx),
      '20261201T0200_passkeys': passkeys(this.ctx),
      '20261201T0300_ip_allowlist': ipAllowlist(this.ctx),
      '20261201T0400_members': members(this.ctx),
      '20261201T0500_groups': groups(this.ctx),
      '20261201T0600_api_keys': apiKeys(this.ctx),
      '20261201T0700_access_reviews': accessReviews(this.ctx),
      '20261201T0800_collections': collections(this.ctx),
      '20261201T0900_dashboards': dashboards(this.ctx),
    }
  }
}
