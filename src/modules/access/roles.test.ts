// AUTHZ-1: GET /api/v1/roles answers the one catalogue of permissions.ts: every role with exactly
// its permissions, every permission with its description; users.read is needed, by session or key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  call,
  createTestApp,
  signInBearer,
  signUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { addUser } from '../identity/members.test-support.ts'
import { makeKey } from './api-keys.test-support.ts'
import { ALL_PERMISSIONS, PERMISSIONS, ROLE_PERMISSIONS, ROLES } from './permissions.ts'

interface Catalogue {
  roles: { name: string; permissions: string[] }[]
  permissions: { name: string; description: string }[]
}

let t: TestApp

beforeAll(async () => {
  t = await createTestApp()
})
afterAll(async () => {
  await t?.close()
})

describe('GET /api/v1/roles', () => {
  it('AUTHZ-1: lists the five roles and every permission from the one catalogue', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const res = await call(t, owner, 'GET', '/api/v1/roles')
    expect(res.statusCode).toBe(200)
    const body = res.json() as Catalogue
    expect(body.roles.map((r) => r.name)).toEqual(ROLES)
    for (const role of body.roles) {
      expect(new Set(role.permissions)).toEqual(
        ROLE_PERMISSIONS[role.name as keyof typeof ROLE_PERMISSIONS],
      )
    }
    expect(body.permissions).toEqual(
      ALL_PERMISSIONS.map((name) => ({ name, description: PERMISSIONS[name] })),
    )
  })

  it('AUTHZ-1: auditors and users.read keys read it; members and viewers get 403', async () => {
    const org = await signUp(t.app)
    const auditor = await addUser(t, org, 'auditor')
    expect((await call(t, auditor.session, 'GET', '/api/v1/roles')).statusCode).toBe(200)
    const key = await makeKey(t.app, auditor.session, ['users.read'])
    const byKey = await t.app.inject({
      method: 'GET',
      url: '/api/v1/roles',
      headers: key.authorization,
    })
    expect(byKey.statusCode).toBe(200)
    for (const role of ['member', 'viewer'] as const) {
      const user = await addUser(t, org, role)
      const refused = await call(t, user.session, 'GET', '/api/v1/roles')
      expect(refused.statusCode).toBe(403)
      expect(refused.json().error.code).toBe('AUTH_PERMISSION_DENIED')
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/roles' })).statusCode).toBe(401)
  })
})
