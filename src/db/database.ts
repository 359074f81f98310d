// The one Database interface: every table of every module, by name.
import type {
  AuditCheckpointsTable,
  AuditEntriesTable,
  AuditHeadsTable,
  AuditNodesTable,
} from '../modules/audit/audit.table.ts'
import type { SessionsTable } from '../modules/identity/sessions.table.ts'
import type { UsersTable } from '../modules/identity/users.table.ts'
import type { TenantsTable } from '../modules/tenants/tenants.table.ts'
import type { CredentialsTable } from '../modules/vault/vault.table.ts'

export interface Database {
  tenants: TenantsTable
  users: UsersTable
  sessions: SessionsTable
  audit_heads: AuditHeadsTable
  audit_entries: AuditEntriesTable
  audit_nodes: AuditNodesTable
  audit_checkpoints: AuditCheckpointsTable
  credentials: CredentialsTable
}
