// The one Database interface: every table of every module, by name.

import type { JobsTable } from '../jobs/jobs.table.ts'
import type {
  AccessReviewItemsTable,
  AccessReviewSettingsTable,
  AccessReviewsTable,
} from '../modules/access/access-reviews.table.ts'
import type { ApiKeysTable } from '../modules/access/api-keys.table.ts'
import type {
  GroupGrantsTable,
  GroupMembersTable,
  GroupsTable,
} from '../modules/access/groups.table.ts'
import type { IpAllowlistEntriesTable } from '../modules/access/ip-allowlist.table.ts'
import type {
  KioskGuardsTable,
  KioskLinkDashboardsTable,
  KioskLinksTable,
} from '../modules/access/kiosk-links.table.ts'
import type {
  AuditCheckpointsTable,
  AuditEntriesTable,
  AuditHeadsTable,
  AuditNodesTable,
} from '../modules/audit/audit.table.ts'
import type {
  CollectionsTable,
  CollectionVersionsTable,
} from '../modules/data/collections.table.ts'
import type { DashboardsTable } from '../modules/data/dashboards.table.ts'
import type { RecordsTable } from '../modules/data/records.table.ts'
import type { EmailVerificationTokensTable } from '../modules/identity/email-verification.table.ts'
import type { InvitationsTable } from '../modules/identity/invitations.table.ts'
import type { MfaChallengesTable } from '../modules/identity/mfa-challenges.table.ts'
import type { OwnershipTransfersTable } from '../modules/identity/ownership.table.ts'
import type { PasswordResetTokensTable } from '../modules/identity/password-reset.table.ts'
import type { SessionsTable } from '../modules/identity/sessions.table.ts'
import type {
  KnownDevicesTable,
  SignInGuardsTable,
} from '../modules/identity/sign-in-guards.table.ts'
import type { UsersTable } from '../modules/identity/users.table.ts'
import type { MailOutboxTable } from '../modules/mail/mail.table.ts'
import type { MfaRecoveryCodesTable, MfaTotpTable } from '../modules/mfa/mfa.table.ts'
import type { MfaPasskeyChallengesTable, MfaPasskeysTable } from '../modules/mfa/passkeys.table.ts'
import type { TenantsTable } from '../modules/tenants/tenants.table.ts'
import type { CredentialsTable } from '../modules/vault/vault.table.ts'

export interface Database {
  tenants: TenantsTable
  users: UsersTable
  sessions: SessionsTable
  sign_in_guards: SignInGuardsTable
  known_devices: KnownDevicesTable
  audit_heads: AuditHeadsTable
  audit_entries: AuditEntriesTable
  audit_nodes: AuditNodesTable
  audit_checkpoints: AuditCheckpointsTable
  credentials: CredentialsTable
  mail_outbox: MailOutboxTable
  password_reset_tokens: PasswordResetTokensTable
  mfa_totp: MfaTotpTable
  mfa_recovery_codes: MfaRecoveryCodesTable
  mfa_challenges: MfaChallengesTable
  email_verification_tokens: EmailVerificationTokensTable
  mfa_passkeys: MfaPasskeysTable
  mfa_passkey_challenges: MfaPasskeyChallengesTable
  ip_allowlist_entries: IpAllowlistEntriesTable
  invitations: InvitationsTable
  ownership_transfers: OwnershipTransfersTable
  groups: GroupsTable
  group_members: GroupMembersTable
  group_grants: GroupGrantsTable
  api_keys: ApiKeysTable
  jobs: JobsTable
  access_review_settings: AccessReviewSettingsTable
  access_reviews: AccessReviewsTable
  access_review_items: AccessReviewItemsTable
  collections: CollectionsTable
  collection_versions: CollectionVersionsTable
  records: RecordsTable
  dashboards: DashboardsTable
  kiosk_links: KioskLinksTable
  kiosk_link_dashboards: KioskLinkDashboardsTable
  kiosk_guards: KioskGuardsTable
}
