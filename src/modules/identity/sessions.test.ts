// IAM-6: sign-in, sign-out and the current principal, with server-side idle and absolute timeouts.
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedUp,
  signInBearer,
  signUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { permissionsOfRole } from '../access/permissions.ts'

let t: TestApp
let acme: SignedUp
beforeAll(async () => {
  t = await createTestApp()
  acme = await signUp(t.app)
})
afterAll(() => t.close())

function me(headers: Record<string, string>) {
  return t.app.inject({ method: 'GET', url: '/api/v1/me', headers })
}

function sessionRow(id: string) {
  return t.database.handle.db
    .selectFrom('sessions')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
}

function cookieSignIn(who: SignedUp, email = who.owner.email) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    payload: { tenant: who.tenant.slug, email, password: who.password },
  })
}

describe('sessions', () => {
  it('IAM-6: cookie sign-in sets a __Host- HttpOnly Secure SameSite=Lax cookie and returns a CSRF token', async () => {
    const res = await cookieSignIn(acme)
    expect(res.statusCode).toBe(201)
    const cookie = res.cookies.find((c) => c.name === '__Host-rampart_session')
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' })
    expect(cookie?.domain).toBeUndefined()
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const body = res.json()
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(body.token).toBeUndefined()
    expect(res.body).not.toContain(cookie?.value)
    const expires = Date.parse(body.session.expiresAt) - Date.now()
    expect(expires).toBeGreaterThan(t.config.session.absoluteTimeoutSeconds * 1000 - 60_000)
    expect(expires).toBeLessThanOrEqual(t.config.session.absoluteTimeoutSeconds * 1000)
  })

  it('IAM-6: only the SHA-256 of a session token is stored, never the token', async () => {
    const { token, sessionId } = await signInBearer(t.app, acme)
    const row = await t.database.handle.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow()
    expect(row.token_hash).toBe(createHash('sha256').update(token).digest('hex'))
    expect(JSON.stringify(row)).not.toContain(token)
  })

  it('GET /api/v1/me returns the user, tenant and session for cookie and bearer clients', async () => {
    const signedIn = await cookieSignIn(acme)
    const cookie = signedIn.cookies.find((c) => c.name === '__Host-rampart_session')?.value ?? ''
    const viaCookie = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      cookies: { '__Host-rampart_session': cookie },
    })
    expect(viaCookie.statusCode).toBe(200)
    expect(viaCookie.json()).toMatchObject({
      user: { id: acme.owner.id, email: acme.owner.email, role: 'owner' },
      tenant: { id: acme.tenant.id, slug: acme.tenant.slug, region: 'eu' },
      csrfToken: signedIn.json().csrfToken,
    })
    const bearer = await signInBearer(t.app, acme)
    const viaBearer = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: bearer.authorization,
    })
    expect(viaBearer.statusCode).toBe(200)
    expect(viaBearer.json().session.id).toBe(bearer.sessionId)
    expect(viaBearer.json().csrfToken).toBeUndefined()
    // AUTHZ-1: the role's permissions, from the one catalogue, for the console to show what they reach.
    expect(viaBearer.json().user.permissions).toEqual([...permissionsOfRole('owner')])
  })

  it('matches e-mail addresses without regard to case or surrounding space', async () => {
    const res = await cookieSignIn(acme, `  ${acme.owner.email.toUpperCase()} `)
    expect(res.statusCode).toBe(201)
  })

  it('signs out: the session is revoked and the token no longer works', async () => {
    const bearer = await signInBearer(t.app, acme)
    const out = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/sessions/current',
      headers: bearer.authorization,
    })
    expect(out.statusCode).toBe(204)
    const res = await me(bearer.authorization)
    expect(res.statusCode).toBe(401)
    expect(res.json().error.code).toBe('AUTH_REQUIRED')
    const row = await sessionRow(bearer.sessionId)
    expect(row.revoked_reason).toBe('sign-out')
    expect(row.revoked_at).not.toBeNull()
  })

  it('IAM-6: a session idle past the idle timeout is refused and revoked', async () => {
    const bearer = await signInBearer(t.app, acme)
    const idle = t.config.session.idleTimeoutSeconds + 1
    await sql`UPDATE sessions SET last_seen_at = now() - make_interval(secs => ${idle})
      WHERE id = ${bearer.sessionId}`.execute(t.database.handle.db)
    const res = await me(bearer.authorization)
    expect(res.statusCode).toBe(401)
    const row = await sessionRow(bearer.sessionId)
    expect(row.revoked_reason).toBe('idle-timeout')
  })

  it('IAM-6: a session past its absolute lifetime is refused even while in use', async () => {
    const bearer = await signInBearer(t.app, acme)
    await sql`UPDATE sessions SET expires_at = now() - interval '1 second', last_seen_at = now()
      WHERE id = ${bearer.sessionId}`.execute(t.database.handle.db)
    const res = await me(bearer.authorization)
    expect(res.statusCode).toBe(401)
    const row = await sessionRow(bearer.sessionId)
    expect(row.revoked_reason).toBe('absolute-timeout')
  })

  it('activity within the idle timeout keeps the session (last_seen_at moves forward)', async () => {
    const bearer = await signInBearer(t.app, acme)
    const nearlyIdle = t.config.session.idleTimeoutSeconds - 30
    await sql`UPDATE sessions SET last_seen_at = now() - make_interval(secs => ${nearlyIdle})
      WHERE id = ${bearer.sessionId}`.execute(t.database.handle.db)
    const res = await me(bearer.authorization)
    expect(res.statusCode).toBe(200)
    const row = await sessionRow(bearer.sessionId)
    expect(Date.now() - row.last_seen_at.getTime()).toBeLessThan(10_000)
  })

  it('refuses sessions of a suspended organisation', async () => {
    const other = await signUp(t.app)
    const bearer = await signInBearer(t.app, other)
    await t.database.handle.db
      .updateTable('tenants')
      .set({ status: 'suspended' })
      .where('id', '=', other.tenant.id)
      .execute()
    const res = await me(bearer.authorization)
    expect(res.statusCode).toBe(401)
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { tenant: other.tenant.slug, email: other.owner.email, password: other.password },
    })
    expect(again.statusCode).toBe(401)
    expect(again.json().error.code).toBe('IDENTITY_INVALID_CREDENTIALS')
  })

  it.each([
    ['no credentials', {}],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['a malformed bearer', { authorization: 'Bearer not a token' }],
    ['an unknown well-formed token', { authorization: `Bearer ${'A'.repeat(43)}` }],
    ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['an injection string', { authorization: "Bearer ' OR 1=1 --" }],
  ])('GET /api/v1/me with %s gives 401 AUTH_REQUIRED', async (_what, headers) => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers })
    expect(res.statusCode).toBe(401)
    expect(res.json().error.code).toBe('AUTH_REQUIRED')
  })
})
