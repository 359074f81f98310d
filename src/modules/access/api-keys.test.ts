// IAM-9: API keys through the API: shown once, stored hashed, scoped, expiring, revocable,
// last-used time, bearer authentication, audited.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signInBearer, signUp } from '../../../test/support/app.ts'
import { withTenant } from '../../db/tenant.ts'
import { addMember, createMfaTestApp, type MfaTestApp } from '../mfa/mfa.test-support.ts'
import { auditEventsOf, createKeyRequest, makeKey, setUser } from './api-keys.test-support.ts'

let t: MfaTestApp

beforeAll(async () => {
  t = await createMfaTestApp()
})
afterAll(async () => {
  await t?.close()
})

async function storedKeys(tenantId: string) {
  return withTenant(t.database.handle, tenantId, (trx) =>
    trx.selectFrom('api_keys').selectAll().execute(),
  )
}

const events = (tenantId: string, action: string) => auditEventsOf(t.database, tenantId, action)

describe('API keys', () => {
  it('IAM-9: the key is shown once, only its SHA-256 is stored, and listing never shows it', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const res = await createKeyRequest(t.app, owner, {
      name: 'Nightly export',
      permissions: ['audit.read'],
    })
    expect(res.statusCode).toBe(201)
    expect(res.headers['cache-control']).toBe('no-store')
    const { apiKey, key } = res.json()
    expect(key).toMatch(/^rk_[A-Za-z0-9_-]{43}$/)
    expect(apiKey).toMatchObject({
      name: 'Nightly export',
      prefix: key.slice(0, 11),
      status: 'active',
    })
    const days = (Date.parse(apiKey.expiresAt) - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(89.9)
    expect(days).toBeLessThanOrEqual(90)

    const rows = await storedKeys(org.tenant.id)
    expect(rows).toHaveLength(1)
    expect(rows[0]?.token_hash).toBe(createHash('sha256').update(key).digest('hex'))
    expect(JSON.stringify(rows)).not.toContain(key.slice(11))

    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me/api-keys',
      headers: owner.authorization,
    })
    expect(list.statusCode).toBe(200)
    expect(list.body).not.toContain(key.slice(11))
    expect(list.json().apiKeys.map((k: { id: string }) => k.id)).toEqual([apiKey.id])
    expect((await events(org.tenant.id, 'api_key.create'))[0]).toMatchObject({
      actor: { type: 'user', id: org.owner.id },
      target: { type: 'api_key', id: apiKey.id },
    })
  })

  it('IAM-9: a key authenticates as a bearer token within its scope, records its last use and is the audit actor', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const made = await makeKey(t.app, owner, ['audit.read'])
    const read = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit/events',
      headers: made.authorization,
      remoteAddress: '203.0.113.9',
    })
    expect(read.statusCode).toBe(200)
    const [row] = await storedKeys(org.tenant.id)
    expect(row?.last_used_at).not.toBeNull()
    expect(row?.last_used_ip).toBe('203.0.113.9')

    // Outside the scope: the owner may manage credentials, the key may not.
    const vault = await t.app.inject({
      method: 'GET',
      url: '/api/v1/credentials',
      headers: made.authorization,
    })
    expect(vault.statusCode).toBe(403)
    expect(vault.json().error).toMatchObject({
      code: 'AUTH_PERMISSION_DENIED',
      details: { permission: 'vault.manage' },
    })

    // A key with vault.manage acts, and the audit log names the key, not the user.
    const vaultKey = await makeKey(t.app, owner, ['vault.manage'])
    const stored = await t.app.inject({
      method: 'POST',
      url: '/api/v1/credentials',
      headers: vaultKey.authorization,
      payload: {
        name: 'smtp',
        kind: 'smtp',
        secret: { host: 'mail.example', port: '587', username: 'u', password: 'p' },
      },
    })
    expect(stored.statusCode).toBe(201)
    expect((await events(org.tenant.id, 'credential.create'))[0]?.actor).toEqual({
      type: 'api_key',
      id: vaultKey.id,
    })
  })

  it('IAM-9: a key never reaches routes that act on a session or an account: 403 AUTH_SESSION_REQUIRED', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const made = await makeKey(t.app, owner, ['api_keys.create', 'api_keys.manage', 'audit.read'])
    const attempts = [
      { method: 'GET', url: '/api/v1/me' },
      { method: 'GET', url: '/api/v1/me/sessions' },
      { method: 'DELETE', url: '/api/v1/sessions/current' },
      { method: 'GET', url: '/api/v1/me/api-keys' },
      {
        method: 'POST',
        url: '/api/v1/me/api-keys',
        payload: { name: 'x', permissions: ['audit.read'] },
      },
      {
        method: 'POST',
        url: '/api/v1/me/password',
        payload: { currentPassword: 'x', newPassword: 'y' },
      },
    ] as const
    for (const a of attempts) {
      const res = await t.app.inject({ ...a, headers: made.authorization })
      expect(res.statusCode, `${a.method} ${a.url}`).toBe(403)
      expect(res.json().error.code).toBe('AUTH_SESSION_REQUIRED')
    }
    expect(await storedKeys(org.tenant.id)).toHaveLength(1)
  })

  it('IAM-9: the scope must be permissions the creator holds: unknown 422, beyond the role 403', async () => {
    const org = await signUp(t.app)
    const member = await addMember(t, org)
    const beyond = await createKeyRequest(t.app, member.session, {
      name: 'k',
      permissions: ['audit.read'],
    })
    expect(beyond.statusCode).toBe(403)
    expect(beyond.json().error).toMatchObject({
      code: 'ACCESS_API_KEY_SCOPE_EXCEEDS_ROLE',
      details: { beyond: ['audit.read'] },
    })
    for (const permissions of [
      ['audit.read '],
      ['root'],
      ['api_keys.create', 'api_keys.create'],
      ['owners.manage'],
      ["' OR 1=1 --"],
    ]) {
      const res = await createKeyRequest(t.app, member.session, { name: 'k', permissions })
      expect(res.statusCode, JSON.stringify(permissions)).toBe(422)
      expect(res.json().error.code).toBe('ACCESS_API_KEY_SCOPE_INVALID')
    }
    const ok = await createKeyRequest(t.app, member.session, {
      name: 'k',
      permissions: ['api_keys.create'],
    })
    expect(ok.statusCode).toBe(201)
  })

  it("IAM-7, IAM-9: no key carries owners.manage, even an owner's", async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const res = await createKeyRequest(t.app, owner, {
      name: 'takeover',
      permissions: ['users.manage', 'owners.manage'],
    })
    expect(res.statusCode).toBe(422)
    expect(res.json().error).toMatchObject({
      code: 'ACCESS_API_KEY_SCOPE_INVALID',
      details: { unknown: ['owners.manage'] },
    })
  })

  it('IAM-9: a key shrinks with its creator: demoted, its permissions go; deactivated, it stops', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const admin = await addMember(t, org)
    await setUser(t.database, org.tenant.id, admin.id, { role: 'admin' })
    const adminSession = await signInBearer(t.app, {
      ...org,
      owner: { ...org.owner, email: admin.email },
    })
    const made = await makeKey(t.app, adminSession, ['audit.read'])
    const read = () =>
      t.app.inject({ method: 'GET', url: '/api/v1/audit/events', headers: made.authorization })
    expect((await read()).statusCode).toBe(200)
    await setUser(t.database, org.tenant.id, admin.id, { role: 'member' })
    expect((await read()).json().error.code).toBe('AUTH_PERMISSION_DENIED')
    await setUser(t.database, org.tenant.id, admin.id, { role: 'admin', status: 'deactivated' })
    expect((await read()).statusCode).toBe(401)
    expect(owner.token).toBeTruthy()
  })

  it("IAM-9: owners and admins list and revoke everyone's keys; members only their own", async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const member = await addMember(t, org)
    const mine = await makeKey(t.app, member.session, ['api_keys.create'])
    const ownerKey = await makeKey(t.app, owner, ['audit.read'])

    const all = await t.app.inject({
      method: 'GET',
      url: '/api/v1/api-keys',
      headers: owner.authorization,
    })
    expect(all.statusCode).toBe(200)
    expect(
      all
        .json()
        .apiKeys.map((k: { id: string }) => k.id)
        .sort(),
    ).toEqual([mine.id, ownerKey.id].sort())
    const byUser = await t.app.inject({
      method: 'GET',
      url: `/api/v1/api-keys?userId=${member.id}`,
      headers: owner.authorization,
    })
    expect(byUser.json().apiKeys.map((k: { id: string }) => k.id)).toEqual([mine.id])

    const refused = await t.app.inject({
      method: 'GET',
      url: '/api/v1/api-keys',
      headers: member.session.authorization,
    })
    expect(refused.json().error.code).toBe('AUTH_PERMISSION_DENIED')
    // Another user's key through the own-key route: not found, and still live.
    const notMine = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/api-keys/${ownerKey.id}`,
      headers: member.session.authorization,
    })
    expect(notMine.statusCode).toBe(404)
    expect(notMine.json().error.code).toBe('ACCESS_API_KEY_NOT_FOUND')

    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${mine.id}`,
      headers: owner.authorization,
    })
    expect(revoked.statusCode).toBe(200)
    expect(revoked.json().status).toBe('revoked')
    expect((await events(org.tenant.id, 'api_key.revoke'))[0]).toMatchObject({ reason: 'by_admin' })
  })

  it('IAM-9: names and bodies that do not fit get 4xx, never a 500', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const cases: [unknown, number][] = [
      [{ name: 'bell\u0007', permissions: ['audit.read'] }, 422],
      [{ name: '   ', permissions: ['audit.read'] }, 422],
      [{ name: '\u202eevil', permissions: ['audit.read'] }, 422],
      [{ name: 'lone \ud800 surrogate', permissions: ['audit.read'] }, 422],
      [{ name: 'mark\u200e', permissions: ['audit.read'] }, 422],
      [{ name: 'x'.repeat(10_000), permissions: ['audit.read'] }, 400],
      [{ name: 'k', permissions: [] }, 400],
      [{ name: 'k', permissions: 'audit.read' }, 400],
      [{ name: 'k', permissions: ['audit.read'], expiresInDays: 0 }, 400],
      [{ name: 'k', permissions: ['audit.read'], expiresInDays: 366 }, 400],
      [{ name: 'k', permissions: ['audit.read'], expiresInDays: '30' }, 400],
      [{ name: 'k', permissions: ['audit.read'], userId: org.owner.id }, 400],
      [{ name: 7, permissions: ['audit.read'] }, 400],
    ]
    for (const [payload, status] of cases) {
      const res = await createKeyRequest(t.app, owner, payload)
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(status)
    }
    const ok = await createKeyRequest(t.app, owner, {
      name: 'Zürich ⚙ déploiement',
      permissions: ['audit.read'],
      expiresInDays: 365,
    })
    expect(ok.statusCode).toBe(201)
    expect(ok.json().apiKey.name).toBe('Zürich ⚙ déploiement')
    expect(await storedKeys(org.tenant.id)).toHaveLength(1)
  })

  it("IAM-9: another organisation's key id is not found, and its key never opens this organisation", async () => {
    const a = await signUp(t.app)
    const b = await signUp(t.app)
    const ownerA = await signInBearer(t.app, a)
    const ownerB = await signInBearer(t.app, b)
    const keyB = await makeKey(t.app, ownerB, ['audit.read'])
    for (const url of [`/api/v1/api-keys/${keyB.id}`, `/api/v1/me/api-keys/${keyB.id}`]) {
      const res = await t.app.inject({ method: 'DELETE', url, headers: ownerA.authorization })
      expect(res.statusCode).toBe(404)
    }
    const [row] = await storedKeys(b.tenant.id)
    expect(row?.revoked_at).toBeNull()
    // B's key reads B's log only.
    const log = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit/events',
      headers: keyB.authorization,
    })
    expect(log.statusCode).toBe(200)
    expect(log.body).not.toContain(a.tenant.id)
    expect(log.body).not.toContain(a.owner.id)
  })
})
