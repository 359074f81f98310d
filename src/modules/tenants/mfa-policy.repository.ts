// IAM-4: the organisation's MFA policy, and the name its notices are signed with.
import type { Trx } from '../../db/tenant.ts'
import type { MfaPolicy } from './tenants.table.ts'

export async function findTenantSettings(
  trx: Trx,
  tenantId: string,
): Promise<{ name: string; mfa_policy: MfaPolicy } | undefined> {
  return trx
    .selectFrom('tenants')
    .select(['name', 'mfa_policy'])
    .where('id', '=', tenantId)
    .executeTakeFirst()
}

export async function updateMfaPolicy(
  trx: Trx,
  tenantId: string,
  policy: MfaPolicy,
): Promise<void> {
  await trx
    .updateTable('tenants')
    .set({ mfa_policy: policy, updated_at: new Date() })
    .where('id', '=', tenantId)
    .execute()
}
