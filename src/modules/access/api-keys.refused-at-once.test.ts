// IAM-9: an expired or revoked API key is refused on the very next request; so is a key whose
// organisation's IP allowlist leaves out the caller (IAM-8), and the refusal is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signInBearer, signUp } from '../../../test/support/app.ts'
import { createMfaTestApp, type MfaTestApp } from '../mfa/mfa.test-support.ts'
import { auditEventsOf, makeKey, setKeyExpiry } from './api-keys.test-support.ts'
import { allowOnly } from './ip-allowlist.test-support.ts'

let t: MfaTestApp

beforeAll(async () => {
  t = await createMfaTestApp()
})
afterAll(async () => {
  await t?.close()
})

const readLog = (authorization: { authorization: string }, remoteAddress = '127.0.0.1') =>
  t.app.inject({
    method: 'GET',
    url: '/api/v1/audit/events',
    headers: authorization,
    remoteAddress,
  })

describe('API keys refused at once', () => {
  it('IAM-9: a revoked key gets 401 on the next request, and revoking twice changes nothing', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const made = await makeKey(t.app, owner, ['audit.read'])
    expect((await readLog(made.authorization)).statusCode).toBe(200)
    const revoke = () =>
      t.app.inject({
        method: 'DELETE',
        url: `/api/v1/me/api-keys/${made.id}`,
        headers: owner.authorization,
      })
    const first = await revoke()
    expect(first.statusCode).toBe(200)
    const refused = await readLog(made.authorization)
    expect(refused.statusCode).toBe(401)
    expect(refused.json().error.code).toBe('AUTH_REQUIRED')
    const again = await revoke()
    expect(again.json().revokedAt).toBe(first.json().revokedAt)
  })

  it('IAM-9: a key past its expiry gets 401 on the next request and lists as expired', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const made = await makeKey(t.app, owner, ['audit.read'])
    expect((await readLog(made.authorization)).statusCode).toBe(200)
    await setKeyExpiry(
      t.database,
      org.tenant.id,
      made.id,
      new Date(Date.now() - 1000).toISOString(),
    )
    expect((await readLog(made.authorization)).statusCode).toBe(401)
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me/api-keys',
      headers: owner.authorization,
    })
    expect(list.json().apiKeys[0].status).toBe('expired')
  })

  it('IAM-9: a key of the right shape that was never issued gets 401, like one a character off', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const made = await makeKey(t.app, owner, ['audit.read'])
    const last = made.key.at(-1) === 'A' ? 'B' : 'A'
    for (const key of [
      `rk_${'A'.repeat(43)}`,
      `${made.key.slice(0, -1)}${last}`,
      `${made.key}x`,
      'rk_',
    ]) {
      const res = await readLog({ authorization: `Bearer ${key}` })
      expect(res.statusCode, key).toBe(401)
    }
  })

  it('IAM-8, IAM-9: the IP allowlist applies to API keys; the denial is audited with the key', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const made = await makeKey(t.app, owner, ['audit.read'])
    await allowOnly(t, owner, ['127.0.0.1/32', '2001:db8::/32'])
    expect((await readLog(made.authorization, '2001:db8::7')).statusCode).toBe(200)
    const denied = await readLog(made.authorization, '198.51.100.4')
    expect(denied.statusCode).toBe(403)
    expect(denied.json().error.code).toBe('ACCESS_IP_NOT_ALLOWED')
    const [event] = await auditEventsOf(t.database, org.tenant.id, 'api_key.ip_denied')
    expect(event).toMatchObject({
      actor: { type: 'api_key', id: made.id },
      source: { ip: '198.51.100.4' },
    })
  })

  it('IAM-9: parallel creations racing the cap of 50 live keys: exactly the cap is reached', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    for (let i = 0; i < 47; i++) await makeKey(t.app, owner, ['audit.read'], `k${i}`)
    const racing = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/me/api-keys',
          headers: owner.authorization,
          payload: { name: `race ${i}`, permissions: ['audit.read'] },
        }),
      ),
    )
    const codes = racing.map((r) => r.statusCode).sort()
    expect(codes).toEqual([201, 201, 201, 409, 409, 409])
    expect(racing.find((r) => r.statusCode === 409)?.json().error.code).toBe('ACCESS_API_KEY_LIMIT')
  })
})
