// KMS-3: a stored secret is encrypted at rest and never returned by the API, not even to the
// owner; only useCredential decrypts it, and replacing or deleting it takes effect at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import { decryptFieldText } from '../../crypto/field-encryption.ts'
import { useCredential } from './vault.service.ts'
import {
  createVaultTestApp,
  signInWithRole,
  storedCredential,
  type VaultTestApp,
} from './vault.test-support.ts'

let t: VaultTestApp
let acme: SignedUp
let owner: SignedIn

const USERNAME = 'svc-user-3f9d1c'
const PASSWORD = 'pw-7b2e90a4-Wz!q'

function store(body: object, who: SignedIn = owner) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/credentials',
    headers: who.authorization,
    payload: body,
  })
}

function request(method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: object) {
  return t.app.inject({
    method,
    url,
    headers: owner.authorization,
    ...(payload ? { payload } : {}),
  })
}

/** Runs useCredential as the server would, returning what `use` was handed. */
function secretOf(id: string): Promise<Record<string, string>> {
  return useCredential(t.ctx, acme.tenant.id, id, 'test.read', async (secret) => ({ ...secret }))
}

beforeAll(async () => {
  t = await createVaultTestApp()
  acme = await signUp(t.app)
  owner = await signInBearer(t.app, acme)
})
afterAll(() => t.close())

describe('credentials vault', () => {
  it('KMS-3: the secret is never returned, not even to the owner', async () => {
    const created = await store({
      name: 'Billing SMTP',
      kind: 'basic',
      secret: { username: USERNAME, password: PASSWORD },
    })
    expect(created.statusCode).toBe(201)
    const body = created.json()
    expect(body).toEqual({
      id: expect.any(String),
      name: 'Billing SMTP',
      kind: 'basic',
      fields: ['username', 'password'],
      secretVersion: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      lastUsedAt: null,
    })
    const list = await request('GET', '/api/v1/credentials')
    const one = await request('GET', `/api/v1/credentials/${body.id}`)
    expect(list.statusCode).toBe(200)
    expect(list.json().credentials).toEqual([body])
    expect(one.statusCode).toBe(200)
    expect(one.json()).toEqual(body)
    for (const res of [created, list, one]) {
      const seen = `${res.body}\n${JSON.stringify(res.headers)}`
      expect(seen).not.toContain(USERNAME)
      expect(seen).not.toContain(PASSWORD)
    }
  })

  it('KMS-3: the stored column holds ciphertext bound to the row, not the plaintext', async () => {
    const { id } = (
      await store({
        name: 'Stored',
        kind: 'basic',
        secret: { username: USERNAME, password: PASSWORD },
      })
    ).json()
    const row = await storedCredential(t, id)
    if (!row) throw new Error('credential row missing')
    const bytes = Buffer.from(row.secret)
    expect(bytes.includes(Buffer.from(USERNAME))).toBe(false)
    expect(bytes.includes(Buffer.from(PASSWORD))).toBe(false)
    expect(row.field_names).toEqual(['username', 'password'])
    const ref = { tenantId: acme.tenant.id, table: 'credentials', column: 'secret', rowId: id }
    expect(JSON.parse(await decryptFieldText(t.ctx.keys, ref, row.secret))).toEqual({
      username: USERNAME,
      password: PASSWORD,
    })
  })

  it('KMS-3: useCredential hands the secret to its callback and records the time of use', async () => {
    const { id } = (
      await store({ name: 'Payments API', kind: 'api_key', secret: { key: 'sk_live_a1b2c3' } })
    ).json()
    const result = await useCredential(t.ctx, acme.tenant.id, id, 'webhook.deliver', async (s) =>
      s.key === 'sk_live_a1b2c3' ? 'called' : 'wrong',
    )
    expect(result).toBe('called')
    const after = (await request('GET', `/api/v1/credentials/${id}`)).json()
    expect(after.lastUsedAt).not.toBeNull()
    expect(JSON.stringify(after)).not.toContain('sk_live_a1b2c3')
  })

  it('KMS-3: replacing the secret changes the ciphertext and use yields the new values', async () => {
    const { id } = (
      await store({
        name: 'OAuth app',
        kind: 'oauth_client',
        secret: { clientId: 'client-old', clientSecret: 'secret-old' },
      })
    ).json()
    const before = await storedCredential(t, id)
    const replaced = await request('PUT', `/api/v1/credentials/${id}/secret`, {
      secret: { clientId: 'client-new', clientSecret: 'secret-new' },
    })
    expect(replaced.statusCode).toBe(200)
    expect(replaced.json()).toMatchObject({
      id,
      secretVersion: 2,
      fields: ['clientId', 'clientSecret'],
    })
    expect(replaced.body).not.toContain('secret-new')
    const after = await storedCredential(t, id)
    expect(Buffer.from(after?.secret ?? []).equals(Buffer.from(before?.secret ?? []))).toBe(false)
    expect(await secretOf(id)).toEqual({ clientId: 'client-new', clientSecret: 'secret-new' })
  })

  it('KMS-3: a replacement is checked against the kind like the original', async () => {
    const { id } = (
      await store({ name: 'Mail relay', kind: 'api_key', secret: { key: 'k1' } })
    ).json()
    const res = await request('PUT', `/api/v1/credentials/${id}/secret`, {
      secret: { key: 'k2', extra: 'x' },
    })
    expect(res.statusCode).toBe(422)
    expect(res.json().error).toMatchObject({
      code: 'VAULT_FIELD_UNKNOWN',
      details: { field: 'extra' },
    })
    expect(await secretOf(id)).toEqual({ key: 'k1' })
  })

  it('KMS-3: a deleted credential is gone: 404 over HTTP and useCredential refuses', async () => {
    const { id } = (
      await store({ name: 'Old vendor', kind: 'api_key', secret: { key: 'k' } })
    ).json()
    expect((await request('DELETE', `/api/v1/credentials/${id}`)).statusCode).toBe(204)
    for (const res of [
      await request('GET', `/api/v1/credentials/${id}`),
      await request('DELETE', `/api/v1/credentials/${id}`),
      await request('PUT', `/api/v1/credentials/${id}/secret`, { secret: { key: 'k' } }),
    ]) {
      expect(res.statusCode).toBe(404)
      expect(res.json().error.code).toBe('VAULT_CREDENTIAL_NOT_FOUND')
    }
    expect(await storedCredential(t, id)).toBeUndefined()
    await expect(secretOf(id)).rejects.toMatchObject({ code: 'VAULT_CREDENTIAL_NOT_FOUND' })
  })

  it('KMS-3: useCredential refuses a purpose that is not a code', async () => {
    const { id } = (await store({ name: 'Purpose', kind: 'api_key', secret: { key: 'k' } })).json()
    await expect(
      useCredential(t.ctx, acme.tenant.id, id, 'Send mail to bob@x.example', async () => 1),
    ).rejects.toThrow(TypeError)
  })

  it('KMS-3: pages by name with a cursor, every credential exactly once', async () => {
    const seen: string[] = []
    let url = '/api/v1/credentials?limit=2'
    for (;;) {
      const res = await request('GET', url)
      expect(res.statusCode).toBe(200)
      const { credentials, nextCursor } = res.json()
      seen.push(...credentials.map((c: { name: string }) => c.name))
      if (!nextCursor) break
      url = `/api/v1/credentials?limit=2&cursor=${nextCursor}`
    }
    const all = (await request('GET', '/api/v1/credentials?limit=200')).json().credentials
    expect(seen).toEqual(all.map((c: { name: string }) => c.name))
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.length).toBeGreaterThan(4)
  })

  it('AUTHZ-1: members, viewers and auditors are refused on every route; admins are not', async () => {
    const { id } = (await store({ name: 'Roles', kind: 'api_key', secret: { key: 'k' } })).json()
    const calls = (who: SignedIn) => [
      store({ name: 'By another role', kind: 'api_key', secret: { key: 'k' } }, who),
      t.app.inject({ method: 'GET', url: '/api/v1/credentials', headers: who.authorization }),
      t.app.inject({ method: 'GET', url: `/api/v1/credentials/${id}`, headers: who.authorization }),
      t.app.inject({
        method: 'PUT',
        url: `/api/v1/credentials/${id}/secret`,
        headers: who.authorization,
        payload: { secret: { key: 'changed' } },
      }),
      t.app.inject({
        method: 'DELETE',
        url: `/api/v1/credentials/${id}`,
        headers: who.authorization,
      }),
    ]
    for (const role of ['member', 'viewer', 'auditor'] as const) {
      const who = await signInWithRole(t, acme, role)
      for (const res of await Promise.all(calls(who))) {
        expect(res.statusCode, `${role}: ${res.body}`).toBe(403)
        expect(res.json().error.code).toBe('AUTH_PERMISSION_DENIED')
      }
    }
    expect(await secretOf(id)).toEqual({ key: 'k' })
    const admin = await signInWithRole(t, acme, 'admin')
    const byAdmin = await store(
      { name: 'By an admin', kind: 'api_key', secret: { key: 'k' } },
      admin,
    )
    expect(byAdmin.statusCode).toBe(201)
  })

  it('IAM-6: without a session every route answers 401', async () => {
    const id = acme.tenant.id
    for (const [method, url, payload] of [
      ['POST', '/api/v1/credentials', { name: 'x', kind: 'api_key', secret: { key: 'k' } }],
      ['GET', '/api/v1/credentials', undefined],
      ['GET', `/api/v1/credentials/${id}`, undefined],
      ['PUT', `/api/v1/credentials/${id}/secret`, { secret: { key: 'k' } }],
      ['DELETE', `/api/v1/credentials/${id}`, undefined],
    ] as const) {
      const res = await t.app.inject({ method, url, ...(payload ? { payload } : {}) })
      expect(res.statusCode, `${method} ${url}`).toBe(401)
      expect(res.json().error.code).toBe('AUTH_REQUIRED')
    }
  })
})
