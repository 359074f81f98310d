// AUTHZ-1: the permission matrix is what docs/permissions.md says, and every route answers every
// role as documented. The test walks the app's whole route table: a route missing from the
// document, or documented but not registered, fails it; so does a role that gets through where
// the document says no, or is refused where it says yes.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import { addUser } from '../identity/members.test-support.ts'
import type { UserRole } from '../identity/users.table.ts'
import { createMfaTestApp, type MfaTestApp } from '../mfa/mfa.test-support.ts'
import { NOT_FOR_API_KEYS } from './api-keys.service.ts'
import { makeKey } from './api-keys.test-support.ts'
import { ALL_PERMISSIONS, type Permission, ROLE_PERMISSIONS, ROLES } from './permissions.ts'

const DOC = readFileSync(new URL('../../../docs/permissions.md', import.meta.url), 'utf8')

/** The rows of the markdown table that follows `heading`, as trimmed cells. */
function tableAfter(heading: string): string[][] {
  const start = DOC.indexOf(`\n## ${heading}\n`)
  if (start < 0) throw new Error(`docs/permissions.md has no "## ${heading}" section`)
  const end = DOC.indexOf('\n## ', start + 1)
  const lines = DOC.slice(start, end < 0 ? undefined : end).split('\n')
  return lines
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .slice(1)
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    )
}

const code = (cell: string) => /^`([^`]+)`$/.exec(cell)?.[1]

interface RouteRule {
  /** The permission the route needs; none for public and session-only routes. */
  permission?: Permission
  /** Acts on the caller's own session or account: API keys are refused. */
  session: boolean
  public: boolean
}

function documentedRoutes(): Map<string, RouteRule> {
  const routes = new Map<string, RouteRule>()
  for (const [route, needs] of tableAfter('Routes')) {
    const key = code(route ?? '')
    if (!key || needs === undefined) throw new Error(`bad route row: ${route}`)
    // The permission the guard checks leads the cell; later ones are rules inside the service.
    const permission = /^`([a-z_.]+)`/.exec(needs)?.[1]
    if (permission && !ALL_PERMISSIONS.includes(permission as Permission)) {
      throw new Error(`${key}: unknown permission ${permission}`)
    }
    routes.set(key, {
      ...(permission ? { permission: permission as Permission } : {}),
      session: /^(`[a-z_.]+`, )?session\b/.test(needs),
      public: needs === 'public',
    })
  }
  return routes
}

let t: MfaTestApp
const sessions = new Map<UserRole, SignedIn>()

async function userWithRole(org: SignedUp, role: UserRole): Promise<SignedIn> {
  return role === 'owner' ? signInBearer(t.app, org) : (await addUser(t, org, role)).session
}

/** A request to the route with made-up ids and an empty body: enough to reach the guard. */
function probe(key: string, authorization: { authorization: string }): InjectOptions {
  const [method, pattern] = key.split(' ') as [InjectOptions['method'], string]
  const url = (pattern ?? '').replace(/:(\w+)/g, (_, name: string) =>
    name === 'index' ? '1' : randomUUID(),
  )
  const withBody = method !== 'GET' && method !== 'DELETE'
  return { method, url, headers: authorization, ...(withBody ? { payload: {} } : {}) }
}

function deniedFor(res: { statusCode: number; body: string }, permission: Permission): boolean {
  if (res.statusCode !== 403) return false
  const error = JSON.parse(res.body).error
  return error.code === 'AUTH_PERMISSION_DENIED' && error.details?.permission === permission
}

beforeAll(async () => {
  t = await createMfaTestApp()
  const org = await signUp(t.app)
  for (const role of ROLES) sessions.set(role, await userWithRole(org, role))
})
afterAll(async () => {
  await t?.close()
})

describe('permission matrix and route walk', () => {
  it('AUTHZ-1: the role matrix in docs/permissions.md is the one the code enforces', () => {
    const rows = tableAfter('Role matrix')
    const header = DOC.slice(DOC.indexOf('\n## Role matrix\n'))
      .split('\n')
      .find((line) => line.startsWith('|'))
    const roles = (header ?? '')
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim())
      .slice(1, 6)
    expect(roles).toEqual(ROLES)
    const documented = Object.fromEntries(
      ROLES.map((role, i) => [
        role,
        rows.filter((row) => row[i + 1] === '✓').map((row) => code(row[0] ?? '')),
      ]),
    )
    const enforced = Object.fromEntries(ROLES.map((role) => [role, [...ROLE_PERMISSIONS[role]]]))
    for (const role of ROLES) expect(documented[role]?.sort(), role).toEqual(enforced[role]?.sort())
    expect(rows.map((row) => code(row[0] ?? '')).sort()).toEqual([...ALL_PERMISSIONS].sort())
  })

  it('AUTHZ-1: every registered route is documented, and every documented route is registered', () => {
    // HEAD routes answer as their GET (some are registered as HEAD alone), as in the isolation
    // harness.
    const registered = new Set(
      t.app.routeTable.map((r) => `${r.method === 'HEAD' ? 'GET' : r.method} ${r.url}`),
    )
    const documented = new Set(documentedRoutes().keys())
    expect(
      [...registered].filter((k) => !documented.has(k)),
      'undocumented',
    ).toEqual([])
    expect(
      [...documented].filter((k) => !registered.has(k)),
      'not registered',
    ).toEqual([])
  })

  it('AUTHZ-1: every role gets through exactly the permissioned routes the matrix gives it', async () => {
    const mismatches: string[] = []
    for (const [key, rule] of documentedRoutes()) {
      if (!rule.permission) continue
      for (const role of ROLES) {
        const res = await t.app.inject(probe(key, (sessions.get(role) as SignedIn).authorization))
        const allowed = ROLE_PERMISSIONS[role].has(rule.permission)
        if (deniedFor(res, rule.permission) === allowed) {
          mismatches.push(`${key} as ${role}: ${res.statusCode} ${res.body.slice(0, 120)}`)
        }
      }
    }
    expect(mismatches).toEqual([])
  })

  it('IAM-9: an API key gets through a permissioned route only with that permission, and never a session route', async () => {
    const owner = sessions.get('owner') as SignedIn
    const keys = new Map<Permission, { authorization: string }>()
    for (const permission of ROLE_PERMISSIONS.owner) {
      if (NOT_FOR_API_KEYS.has(permission)) continue
      keys.set(permission, (await makeKey(t.app, owner, [permission], permission)).authorization)
    }
    const mismatches: string[] = []
    for (const [key, rule] of documentedRoutes()) {
      if (rule.public) continue
      if (rule.session) {
        // Any key, even one with the route's own permission, is refused before anything runs;
        // a route needing a permission no key carries refuses for the permission first.
        const keyless = rule.permission !== undefined && NOT_FOR_API_KEYS.has(rule.permission)
        const holder = (keys.get(rule.permission ?? 'audit.read') ?? keys.get('audit.read')) as {
          authorization: string
        }
        const res = await t.app.inject(probe(key, holder))
        const refused =
          keyless && rule.permission
            ? deniedFor(res, rule.permission)
            : res.statusCode === 403 && res.json().error.code === 'AUTH_SESSION_REQUIRED'
        if (!refused) {
          mismatches.push(`${key} with a key: ${res.statusCode} ${res.body.slice(0, 120)}`)
        }
        continue
      }
      if (!rule.permission) continue
      const other = [...keys.keys()].find((p) => p !== rule.permission) as Permission
      const own = keys.get(rule.permission)
      if (!own) {
        mismatches.push(`${key}: needs ${rule.permission}, which no key may carry`)
        continue
      }
      const withIt = await t.app.inject(probe(key, own))
      const without = await t.app.inject(probe(key, keys.get(other) as { authorization: string }))
      if (deniedFor(withIt, rule.permission) || !deniedFor(without, rule.permission)) {
        mismatches.push(`${key}: with ${withIt.statusCode}, without ${without.statusCode}`)
      }
    }
    expect(mismatches).toEqual([])
  })
})
