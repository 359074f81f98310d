// AUTHZ-5, KMS-3: an organisation cannot read, replace, delete or use another's credential, even
// holding its id; the answer is the same 404 as for an id that never existed.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import { withTenant } from '../../db/tenant.ts'
import { useCredential } from './vault.service.ts'
import {
  auditEventsOf,
  createVaultTestApp,
  storedCredential,
  type VaultTestApp,
} from './vault.test-support.ts'

let t: VaultTestApp
let a: { org: SignedUp; owner: SignedIn }
let b: { org: SignedUp; owner: SignedIn }
let idOfB: string

const SECRET_OF_B = 'tenant-b-only-9c41'

beforeAll(async () => {
  t = await createVaultTestApp()
  const orgA = await signUp(t.app)
  const orgB = await signUp(t.app)
  a = { org: orgA, owner: await signInBearer(t.app, orgA) }
  b = { org: orgB, owner: await signInBearer(t.app, orgB) }
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/credentials',
    headers: b.owner.authorization,
    payload: { name: 'B only', kind: 'api_key', secret: { key: SECRET_OF_B } },
  })
  idOfB = res.json().id
})
afterAll(() => t.close())

describe('credentials across organisations', () => {
  it("AUTHZ-5: A aiming at B's credential id gets 404 and B's row and log stay unchanged", async () => {
    const rowBefore = await storedCredential(t, idOfB)
    const logBefore = await auditEventsOf(t, b.owner)
    const asA = { ...a.owner.authorization, 'x-tenant-id': b.org.tenant.id }
    const responses = [
      await t.app.inject({ method: 'GET', url: `/api/v1/credentials/${idOfB}`, headers: asA }),
      await t.app.inject({
        method: 'PUT',
        url: `/api/v1/credentials/${idOfB}/secret`,
        headers: asA,
        payload: { secret: { key: 'overwritten-by-a' } },
      }),
      await t.app.inject({ method: 'DELETE', url: `/api/v1/credentials/${idOfB}`, headers: asA }),
    ]
    for (const res of responses) {
      expect(res.statusCode).toBe(404)
      expect(res.json().error.code).toBe('VAULT_CREDENTIAL_NOT_FOUND')
      expect(res.body).not.toContain(idOfB)
    }
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/credentials', headers: asA })
    expect(list.json().credentials).toEqual([])
    expect(await storedCredential(t, idOfB)).toEqual(rowBefore)
    expect(await auditEventsOf(t, b.owner)).toEqual(logBefore)
  })

  it("AUTHZ-5: useCredential in A's context cannot reach B's credential", async () => {
    let handedOut = false
    await expect(
      useCredential(t.ctx, a.org.tenant.id, idOfB, 'test.use', async () => {
        handedOut = true
      }),
    ).rejects.toMatchObject({ code: 'VAULT_CREDENTIAL_NOT_FOUND' })
    expect(handedOut).toBe(false)
  })

  it("AUTHZ-5: row-level security hides B's credential from A's transactions", async () => {
    const seen = await withTenant(t.database.handle, a.org.tenant.id, (trx) =>
      trx.selectFrom('credentials').select('id').execute(),
    )
    expect(seen.map((r) => r.id)).not.toContain(idOfB)
    const moved = withTenant(t.database.handle, a.org.tenant.id, (trx) =>
      trx
        .insertInto('credentials')
        .values({
          id: randomUUID(),
          tenant_id: b.org.tenant.id,
          name: 'Planted in B',
          kind: 'api_key',
          field_names: ['key'],
          secret: Buffer.from('x'),
          created_by: a.org.owner.id,
          last_used_at: null,
        })
        .execute(),
    )
    await expect(moved).rejects.toMatchObject({ code: '42501' })
  })

  it('AUTHZ-5: the application role cannot move a credential to another tenant or rename it', async () => {
    for (const change of [{ tenant_id: b.org.tenant.id }, { name: 'Renamed' }]) {
      const update = withTenant(t.database.handle, b.org.tenant.id, (trx) =>
        trx.updateTable('credentials').set(change).where('id', '=', idOfB).execute(),
      )
      await expect(update).rejects.toMatchObject({ code: '42501' })
    }
  })
})
