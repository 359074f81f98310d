// LOG-1, KMS-3: every store, replace, use and delete of a credential is in the organisation's log,
// attributed, with the secret's field names and never a value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import { useCredential } from './vault.service.ts'
import { auditEventsOf, createVaultTestApp, type VaultTestApp } from './vault.test-support.ts'

let t: VaultTestApp
let acme: SignedUp
let owner: SignedIn

const VALUES = [
  'first-client-id-93',
  'first-secret-4471',
  'second-client-id-12',
  'second-secret-85',
]

beforeAll(async () => {
  t = await createVaultTestApp()
  acme = await signUp(t.app)
  owner = await signInBearer(t.app, acme)
})
afterAll(() => t.close())

describe('credential audit events', () => {
  it('LOG-1: store, replace, use and delete each write one event with field names only', async () => {
    const before = (await auditEventsOf(t, owner)).length
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers: owner.authorization,
      payload: {
        name: 'CRM connector',
        kind: 'oauth_client',
        secret: { clientId: VALUES[0], clientSecret: VALUES[1] },
      },
    })
    expect(created.statusCode).toBe(201)
    const { id } = created.json()
    const replaced = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/credentials/${id}/secret`,
      headers: owner.authorization,
      payload: { secret: { clientId: VALUES[2], clientSecret: VALUES[3] } },
    })
    expect(replaced.statusCode).toBe(200)
    await useCredential(t.ctx, acme.tenant.id, id, 'crm.sync', async () => undefined)
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/credentials/${id}`,
      headers: owner.authorization,
    })
    expect(deleted.statusCode).toBe(204)

    const events = (await auditEventsOf(t, owner)).slice(before)
    expect(events.map((e) => e.action)).toEqual([
      'credential.create',
      'credential.replace',
      'credential.use',
      'credential.delete',
    ])
    const user = { type: 'user', id: acme.owner.id }
    for (const e of events) {
      expect(e).toMatchObject({
        category: 'data',
        outcome: 'success',
        target: { type: 'credential', id },
        // The audit log's field-name alphabet is lower case.
        fields: ['clientid', 'clientsecret'],
      })
      for (const value of VALUES) expect(e.text).not.toContain(value)
    }
    expect(events[0]).toMatchObject({ actor: user, requestId: expect.any(String) })
    expect(events[0]?.source?.ip).toBeTruthy()
    expect(events[1]).toMatchObject({ actor: user })
    expect(events[2]).toMatchObject({ actor: { type: 'system' }, reason: 'crm.sync' })
    expect(events[3]).toMatchObject({ actor: user })
  })

  it('LOG-1: refused changes write nothing and leave the credential as it was', async () => {
    const { id } = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/credentials',
        headers: owner.authorization,
        payload: { name: 'Refusals', kind: 'api_key', secret: { key: 'kept-key-value' } },
      })
    ).json()
    const before = (await auditEventsOf(t, owner)).length
    const refused = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/credentials/${id}/secret`,
      headers: owner.authorization,
      payload: { secret: { token: 'not-for-an-api-key' } },
    })
    expect(refused.statusCode).toBe(422)
    expect(await auditEventsOf(t, owner)).toHaveLength(before)
    const kept = await useCredential(t.ctx, acme.tenant.id, id, 'check', async (s) => s.key)
    expect(kept).toBe('kept-key-value')
  })
})
