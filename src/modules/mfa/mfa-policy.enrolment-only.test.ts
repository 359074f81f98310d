// IAM-4: under an MFA policy, a user it obliges who has no second factor gets a session that
// reaches enrolment and nothing else, until a factor is enrolled; the last factor cannot be
// removed while the policy requires one; only owners and admins set the policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import {
  addMember,
  codeFor,
  confirm,
  createMfaTestApp,
  type MfaTestApp,
  startEnrolment,
} from './mfa.test-support.ts'

let t: MfaTestApp

beforeAll(async () => {
  t = await createMfaTestApp()
})
afterAll(() => t.close())

function setPolicy(who: SignedIn, policy: unknown) {
  return t.app.inject({
    method: 'PUT',
    url: '/api/v1/tenant/mfa-policy',
    headers: who.authorization,
    payload: { policy },
  })
}

function get(who: SignedIn, url: string) {
  return t.app.inject({ method: 'GET', url, headers: who.authorization })
}

async function orgWithPolicy(
  policy: 'admins' | 'all',
): Promise<{ org: SignedUp; owner: SignedIn }> {
  const org = await signUp(t.app)
  const owner = await signInBearer(t.app, org)
  const res = await setPolicy(owner, policy)
  expect(res.statusCode, res.body).toBe(200)
  return { org, owner }
}

describe('IAM-4 MFA policy', () => {
  it('IAM-4: under "admins" an owner without a factor gets an enrolment-only session; enrolling makes it whole', async () => {
    const { org } = await orgWithPolicy('admins')
    const session = await signInBearer(t.app, org)
    const me = await get(session, '/api/v1/me')
    expect(me.statusCode).toBe(200)
    expect(me.json().session.scope).toBe('mfa_enrolment')
    for (const url of [
      '/api/v1/me/sessions',
      '/api/v1/audit/events',
      '/api/v1/tenant/mfa-policy',
    ]) {
      const refused = await get(session, url)
      expect(refused.statusCode, url).toBe(403)
      expect(refused.json().error.code).toBe('AUTH_MFA_ENROLMENT_REQUIRED')
    }
    expect((await get(session, '/api/v1/me/mfa')).statusCode).toBe(200)

    const started = await startEnrolment(t, session)
    expect(started.statusCode).toBe(201)
    const confirmed = await confirm(t, session, codeFor(started.json().secret))
    expect(confirmed.statusCode).toBe(200)
    expect((await get(session, '/api/v1/me')).json().session.scope).toBe('full')
    expect((await get(session, '/api/v1/me/sessions')).statusCode).toBe(200)
  })

  it('IAM-4: once a factor is enrolled from one enrolment-only session, the others are ended, not a way around it', async () => {
    const { org } = await orgWithPolicy('all')
    const victim = await signInBearer(t.app, org)
    const other = await signInBearer(t.app, org)
    const started = await startEnrolment(t, victim)
    expect((await confirm(t, victim, codeFor(started.json().secret))).statusCode).toBe(200)
    // The other session proved the password only: it may not now mint recovery codes.
    const codes = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/mfa/recovery-codes',
      headers: other.authorization,
    })
    expect(codes.statusCode).toBe(401)
    expect((await get(other, '/api/v1/me')).statusCode).toBe(401)
    expect((await get(victim, '/api/v1/me')).json().session.scope).toBe('full')
  })

  it('IAM-4: "admins" leaves members alone; "all" obliges them too', async () => {
    const { org, owner } = await orgWithPolicy('admins')
    const member = await addMember(t, org)
    expect((await get(member.session, '/api/v1/me')).json().session.scope).toBe('full')
    expect((await setPolicy(owner, 'all')).json()).toMatchObject({ policy: 'all' })
    const again = await signInBearer(t.app, {
      ...org,
      owner: { ...org.owner, email: member.email },
    })
    expect((await get(again, '/api/v1/me')).json().session.scope).toBe('mfa_enrolment')
  })

  it('IAM-4: the policy reports how many users it obliges who have no factor yet', async () => {
    const { org, owner } = await orgWithPolicy('all')
    await addMember(t, org)
    const res = await get(owner, '/api/v1/tenant/mfa-policy')
    expect(res.json()).toEqual({ policy: 'all', usersWithoutRequiredMfa: 2 })
    expect((await setPolicy(owner, 'optional')).json()).toEqual({
      policy: 'optional',
      usersWithoutRequiredMfa: 0,
    })
  })

  it('IAM-4: while the policy requires a factor, the last one cannot be removed', async () => {
    const { org } = await orgWithPolicy('admins')
    const session = await signInBearer(t.app, org)
    const started = await startEnrolment(t, session)
    await confirm(t, session, codeFor(started.json().secret))
    const removed = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/me/mfa/totp',
      headers: session.authorization,
    })
    expect(removed.statusCode).toBe(409)
    expect(removed.json().error.code).toBe('MFA_REQUIRED_BY_POLICY')
    const state = await get(session, '/api/v1/me/mfa')
    expect(state.json().totp.enabled).toBe(true)
  })

  it('AUTHZ-1: members cannot read or set the policy; bad values get 400', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const member = await addMember(t, org)
    expect((await get(member.session, '/api/v1/tenant/mfa-policy')).statusCode).toBe(403)
    const refused = await setPolicy(member.session, 'all')
    expect(refused.statusCode).toBe(403)
    expect(refused.json().error.code).toBe('AUTH_PERMISSION_DENIED')
    for (const bad of ['ALL', 'none', 1, null, "optional' OR '1'='1", 'all\u0000']) {
      const res = await setPolicy(owner, bad)
      expect(res.statusCode, String(bad)).toBe(400)
    }
    expect((await get(owner, '/api/v1/tenant/mfa-policy')).json().policy).toBe('optional')
  })

  it('LOG-1: a policy change is audited with the field name', async () => {
    const { owner } = await orgWithPolicy('all')
    const events = await get(owner, '/api/v1/audit/events?action=tenant.mfa_policy.update')
    expect(events.json().events[0]).toMatchObject({
      action: 'tenant.mfa_policy.update',
      fields: ['mfa_policy'],
      reason: 'all',
    })
  })
})
