// AUTHZ-2: who reaches a collection or a dashboard. Holders of data.manage reach every one of
// their organisation; everyone else only those granted to one of their groups (edit implies
// view). Both services ask here, so the two kinds of resource cannot drift apart.
import type { Trx } from '../../db/tenant.ts'
import { grantedResourceIds, hasGrant } from '../access/grants.service.ts'
import { can } from '../access/permissions.ts'
import type { Principal } from '../identity/sessions.service.ts'

/** Whether `principal` may `access` the resource of `type` with id `id`. */
export async function mayReach(
  trx: Trx,
  tenantId: string,
  principal: Principal,
  type: string,
  id: string,
  access: 'view' | 'edit',
): Promise<boolean> {
  return (
    can(principal, 'data.manage') ||
    (await hasGrant(trx, tenantId, principal.userId, type, id, access))
  )
}

/** The ids of the resources of `type` that `principal` may view; null means every one. */
export async function viewableIds(
  trx: Trx,
  tenantId: string,
  principal: Principal,
  type: string,
): Promise<string[] | null> {
  return can(principal, 'data.manage')
    ? null
    : grantedResourceIds(trx, tenantId, principal.userId, type, 'view')
}
