// SEC-3, IAM-6: hostile ids, query strings and bodies on the session and password routes get a
// 4xx with a stable code, never a 500; racing revoke-others requests end every other session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/support/app.ts'
import { addUser, meStatus, type Session, signInFrom } from './devices.test-support.ts'

let t: TestApp
let acme: SignedUp
let owner: Session

beforeAll(async () => {
  t = await createTestApp()
  acme = await signUp(t.app)
  owner = await signInFrom(t, acme, acme.owner.email)
})
afterAll(() => t.close())

const NOT_IDS: [string, string][] = [
  ['a word', 'not-a-uuid'],
  ['an injection', "1' OR '1'='1"],
  ['a uuid with a non-hex digit', '00000000-0000-0000-0000-00000000000g'],
  ['a NUL', '%00'],
  ['a path traversal', '..%2F..%2Fme'],
  ['5000 characters', 'x'.repeat(5000)],
  ['a number', '123'],
]

describe('session routes under attack', () => {
  it.each(NOT_IDS)('SEC-3: %s as a session or user id is a 400', async (_name, id) => {
    const urls: ['GET' | 'DELETE', string][] = [
      ['DELETE', `/api/v1/me/sessions/${encodeURIComponent(id)}`],
      ['GET', `/api/v1/users/${encodeURIComponent(id)}/sessions`],
      ['DELETE', `/api/v1/users/${encodeURIComponent(id)}/sessions`],
      ['DELETE', `/api/v1/users/${acme.owner.id}/sessions/${encodeURIComponent(id)}`],
    ]
    for (const [method, url] of urls) {
      const res = await t.app.inject({ method, url, ...owner.auth })
      expect(res.statusCode, `${method} ${url.slice(0, 80)}`).toBe(400)
      expect(res.json().error.code).toBe('REQUEST_INVALID')
    }
    expect(await meStatus(t, owner)).toBe(200)
  })

  it.each([
    ['no flag', ''],
    ['others=false', '?others=false'],
    ['others=1', '?others=1'],
    ['the flag twice', '?others=true&others=true'],
    ['an extra parameter', '?others=true&tenant=x'],
    ['an oversize flag', `?others=${'t'.repeat(10_000)}`],
  ])('SEC-3: DELETE /me/sessions with %s is a 400 and revokes nothing', async (_name, query) => {
    const user = await addUser(t, acme, 'member')
    const current = await signInFrom(t, acme, user.email)
    const other = await signInFrom(t, acme, user.email)
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/sessions${query}`,
      ...current.auth,
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('REQUEST_INVALID')
    expect(await meStatus(t, other)).toBe(200)
    expect(await meStatus(t, current)).toBe(200)
  })

  it.each<[string, unknown, number, string]>([
    ['an empty body', {}, 400, 'REQUEST_INVALID'],
    ['a missing new password', { currentPassword: 'x' }, 400, 'REQUEST_INVALID'],
    ['numbers', { currentPassword: 1, newPassword: 2 }, 400, 'REQUEST_INVALID'],
    ['arrays', { currentPassword: ['a'], newPassword: ['b'] }, 400, 'REQUEST_INVALID'],
    ['null', { currentPassword: null, newPassword: null }, 400, 'REQUEST_INVALID'],
    [
      'an oversize password',
      { currentPassword: 'x', newPassword: 'y'.repeat(1025) },
      400,
      'REQUEST_INVALID',
    ],
    [
      'an extra field',
      { currentPassword: 'x', newPassword: 'y', userId: '00000000-0000-0000-0000-000000000000' },
      400,
      'REQUEST_INVALID',
    ],
    ['a JSON string', 'just-a-string', 400, 'REQUEST_INVALID'],
  ])('SEC-3: POST /me/password with %s is a 4xx', async (_name, payload, status, code) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      ...owner.auth,
      headers: { ...owner.auth.headers, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    })
    expect(res.statusCode).toBe(status)
    expect(res.json().error.code).toBe(code)
  })

  it('SEC-3: POST /me/password with malformed JSON or plain text is a 4xx', async () => {
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: { ...owner.auth.headers, 'content-type': 'application/json' },
      payload: '{"currentPassword":',
    })
    expect(malformed.statusCode).toBe(400)
    const text = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: { ...owner.auth.headers, 'content-type': 'text/plain' },
      payload: 'currentPassword=x',
    })
    expect(text.statusCode).toBe(415)
  })
})

describe('racing revocations', () => {
  it('IAM-6: parallel revoke-others from one session all succeed and end every other session', async () => {
    const user = await addUser(t, acme, 'member')
    const current = await signInFrom(t, acme, user.email)
    const others: Session[] = []
    for (let i = 0; i < 6; i++) others.push(await signInFrom(t, acme, user.email))
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.app.inject({ method: 'DELETE', url: '/api/v1/me/sessions?others=true', ...current.auth }),
      ),
    )
    for (const res of responses) expect(res.statusCode, res.body).toBe(200)
    // Each session is revoked by exactly one of the racers.
    const total = responses.reduce((sum, res) => sum + (res.json().revoked as number), 0)
    expect(total).toBe(others.length)
    for (const other of others) expect(await meStatus(t, other)).toBe(401)
    expect(await meStatus(t, current)).toBe(200)
  })

  it('IAM-6: two sessions revoking each other race without a 500, and exactly one survives', async () => {
    const user = await addUser(t, acme, 'member')
    const one = await signInFrom(t, acme, user.email)
    const two = await signInFrom(t, acme, user.email)
    const responses = await Promise.all(
      [one, two].map((s) =>
        t.app.inject({ method: 'DELETE', url: '/api/v1/me/sessions?others=true', ...s.auth }),
      ),
    )
    const statuses = responses.map((r) => r.statusCode).sort()
    expect(statuses).toEqual([200, 401])
    const alive = [await meStatus(t, one), await meStatus(t, two)].filter((s) => s === 200)
    expect(alive).toHaveLength(1)
  })
})
