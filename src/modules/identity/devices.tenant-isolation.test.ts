// AUTHZ-5, IAM-6: an organisation's owner cannot list or revoke another organisation's sessions,
// even holding their ids; the answer is the same 404 as for ids that never existed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/support/app.ts'
import { withTenant } from '../../db/tenant.ts'
import { listLiveSessions } from './devices.repository.ts'
import { auditEventsOf, meStatus, type Session, signInFrom } from './devices.test-support.ts'

let t: TestApp
let a: { org: SignedUp; owner: Session }
let b: { org: SignedUp; owner: Session }

beforeAll(async () => {
  t = await createTestApp()
  const orgA = await signUp(t.app)
  const orgB = await signUp(t.app)
  a = { org: orgA, owner: await signInFrom(t, orgA, orgA.owner.email) }
  b = { org: orgB, owner: await signInFrom(t, orgB, orgB.owner.email) }
})
afterAll(() => t.close())

describe('sessions across organisations', () => {
  it("AUTHZ-5: A aiming at B's user and session ids gets 404, and B's session and log are untouched", async () => {
    const logBefore = await auditEventsOf(t, b.org.tenant.id)
    const asA = {
      ...a.owner.auth,
      headers: { ...a.owner.auth.headers, 'x-tenant-id': b.org.tenant.id },
    }
    const userB = b.org.owner.id
    const sessionB = b.owner.sessionId
    const cases: [string, string, string][] = [
      ['GET', `/api/v1/users/${userB}/sessions`, 'IDENTITY_USER_NOT_FOUND'],
      ['DELETE', `/api/v1/users/${userB}/sessions`, 'IDENTITY_USER_NOT_FOUND'],
      ['DELETE', `/api/v1/users/${userB}/sessions/${sessionB}`, 'IDENTITY_USER_NOT_FOUND'],
      [
        'DELETE',
        `/api/v1/users/${a.org.owner.id}/sessions/${sessionB}`,
        'IDENTITY_SESSION_NOT_FOUND',
      ],
      ['DELETE', `/api/v1/me/sessions/${sessionB}`, 'IDENTITY_SESSION_NOT_FOUND'],
    ]
    for (const [method, url, code] of cases) {
      const res = await t.app.inject({ method: method as 'GET' | 'DELETE', url, ...asA })
      expect(res.statusCode, `${method} ${url}`).toBe(404)
      expect(res.json().error.code).toBe(code)
      expect(res.body).not.toContain(sessionB)
      expect(res.body).not.toContain(userB)
    }
    const mine = await t.app.inject({ method: 'GET', url: '/api/v1/me/sessions', ...asA })
    expect(mine.json().sessions.map((s: { id: string }) => s.id)).toEqual([a.owner.sessionId])
    expect(await meStatus(t, b.owner)).toBe(200)
    expect(await auditEventsOf(t, b.org.tenant.id)).toEqual(logBefore)
  })

  it("AUTHZ-5: row-level security hides B's sessions from A's transactions even without the filter", async () => {
    const live = { now: new Date(), idleCutoff: new Date(0) }
    // The repository is asked for B's user under A's tenant context: RLS leaves nothing to find.
    const rows = await withTenant(t.database.handle, a.org.tenant.id, (trx) =>
      listLiveSessions(trx, b.org.tenant.id, b.org.owner.id, live, 10),
    )
    expect(rows).toEqual([])
  })
})
