// AUTHZ-2 test support: organisations with users of any role, groups made through the API, and
// a test resource type backed by a real table. No production module registers a type yet, so the
// suites grant access to vault credentials (src/modules/vault): real rows, with their own tenant
// column and row-level security, created through the vault's API.
import { randomUUID } from 'node:crypto'
import {
  call,
  expectStatus,
  type SignedIn,
  type SignedUp,
  signInBearer,
  signUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { withTenant } from '../../db/tenant.ts'
import { addUser as addSignedInUser } from '../identity/members.test-support.ts'
import type { UserRole } from '../identity/users.table.ts'
import { findCredential } from '../vault/vault.repository.ts'
import { hasGrant } from './grants.service.ts'
import { registerResourceType } from './resource-types.ts'

/** The test resource type: `edit` implies `view`, `use` stands alone. */
export const TEST_TYPE = 'test_credential'

registerResourceType({
  type: TEST_TYPE,
  permissions: ['view', 'edit', 'use'],
  implies: { edit: ['view'] },
  exists: async (trx, tenantId, id) => (await findCredential(trx, tenantId, id)) !== undefined,
})

export interface Org {
  org: SignedUp
  owner: SignedIn
}

export interface User {
  id: string
  email: string
  session: SignedIn
}

export async function newOrg(t: TestApp): Promise<Org> {
  const org = await signUp(t.app)
  return { org, owner: await signInBearer(t.app, org) }
}

/** A user of `role` in the organisation, inserted directly and signed in as a bearer client. */
export async function addUser(t: TestApp, org: SignedUp, role: UserRole): Promise<User> {
  const { id, email, session } = await addSignedInUser(t, org, role)
  return { id, email, session }
}

// The access suites take `call` from here; it is the shared test support's own.
export { call }

export async function createGroup(t: TestApp, who: SignedIn, name: string): Promise<string> {
  const res = await call(t, who, 'POST', '/api/v1/groups', { name })
  expectStatus(res, 201)
  return res.json().id
}

export async function addMember(
  t: TestApp,
  who: SignedIn,
  groupId: string,
  userId: string,
): Promise<void> {
  const res = await call(t, who, 'PUT', `/api/v1/groups/${groupId}/members/${userId}`)
  expectStatus(res, 201)
}

/** Grants `permission` on a test resource; returns the grant id. */
export async function grant(
  t: TestApp,
  who: SignedIn,
  groupId: string,
  resourceId: string,
  permission: string,
): Promise<string> {
  const res = await call(t, who, 'POST', `/api/v1/groups/${groupId}/grants`, {
    resourceType: TEST_TYPE,
    resourceId,
    permission,
  })
  expectStatus(res, 201)
  return res.json().id
}

/** A real resource: a credential stored through the vault API by an owner. */
export async function newResource(t: TestApp, owner: SignedIn): Promise<string> {
  const res = await call(t, owner, 'POST', '/api/v1/credentials', {
    name: `resource ${randomUUID()}`,
    kind: 'api_key',
    secret: { key: 'not-a-real-key' },
  })
  expectStatus(res, 201)
  return res.json().id
}

/** Whether the user may `permission` the test resource, asked as the data module would. */
export function mayAccess(
  t: TestApp,
  tenantId: string,
  userId: string,
  resourceId: string,
  permission: string,
): Promise<boolean> {
  return withTenant(t.database.handle, tenantId, (trx) =>
    hasGrant(trx, tenantId, userId, TEST_TYPE, resourceId, permission),
  )
}

/** The organisation's audit events, newest first; only `action`'s when given. */
export async function auditEvents(
  t: TestApp,
  who: SignedIn,
  action?: string,
): Promise<Record<string, unknown>[]> {
  const filter = action ? `&action=${action}` : ''
  const res = await call(t, who, 'GET', `/api/v1/audit/events?limit=500${filter}`)
  expectStatus(res, 200)
  return (res.json() as { events: Record<string, unknown>[] }).events
}
