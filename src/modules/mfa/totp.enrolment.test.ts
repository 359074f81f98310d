// IAM-4, KMS-2, LOG-1: enrolling an authenticator app: the secret is shown once to its user,
// stored only encrypted under the tenant key and bound to its row, enabled only by a valid code,
// replaced while pending, and removed on request; enabling and disabling are audited without any
// personal data, and neither the secret nor the e-mail address reaches a log line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import { decryptField } from '../../crypto/field-encryption.ts'
import {
  auditEventsOf,
  codeFor,
  confirm,
  createMfaTestApp,
  type Enrolment,
  enableTotp,
  type MfaTestApp,
  mfaStateOf,
  startEnrolment,
  storedTotp,
} from './mfa.test-support.ts'

let t: MfaTestApp

interface Org {
  org: SignedUp
  owner: SignedIn
}

async function organisation(): Promise<Org> {
  const org = await signUp(t.app)
  return { org, owner: await signInBearer(t.app, org) }
}

function remove(who: SignedIn) {
  return t.app.inject({ method: 'DELETE', url: '/api/v1/me/mfa/totp', headers: who.authorization })
}

beforeAll(async () => {
  t = await createMfaTestApp()
})
afterAll(() => t.close())

describe('authenticator enrolment', () => {
  it('IAM-4: enrolment returns the otpauth URI, a PNG QR code and the base32 secret, not cached', async () => {
    const { org, owner } = await organisation()
    const res = await startEnrolment(t, owner)
    expect(res.statusCode).toBe(201)
    expect(res.headers['cache-control']).toBe('no-store')
    const body = res.json() as Enrolment
    expect(Object.keys(body).sort()).toEqual(['otpauthUri', 'qrCode', 'secret'])
    expect(body.secret).toMatch(/^[A-Z2-7]{32}$/)
    const uri = new URL(body.otpauthUri)
    expect(uri.searchParams.get('secret')).toBe(body.secret)
    expect(decodeURIComponent(uri.pathname)).toBe(
      `/Rampart:${org.owner.email} (${org.tenant.slug})`,
    )
    expect(body.qrCode).toMatch(/^data:image\/png;base64,/)
    const png = Buffer.from(body.qrCode.slice('data:image/png;base64,'.length), 'base64')
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG')
    expect(await mfaStateOf(t, owner)).toEqual({
      totp: { enabled: false, confirmedAt: null },
      recoveryCodes: { remaining: 0 },
      passkeys: { count: 0 },
    })
  })

  it('KMS-2: the stored secret is tenant-key ciphertext bound to its row, neither raw nor base32', async () => {
    const { org, owner } = await organisation()
    const { secret } = (await startEnrolment(t, owner)).json() as Enrolment
    const row = await storedTotp(t, org.owner.id)
    if (!row) throw new Error('no mfa_totp row')
    const stored = Buffer.from(row.secret)
    const raw = Buffer.from(base32Decode(secret))
    expect(stored.includes(raw)).toBe(false)
    expect(stored.includes(Buffer.from(secret))).toBe(false)
    expect(stored.toString('latin1').toUpperCase()).not.toContain(secret)
    const ref = { tenantId: org.tenant.id, table: 'mfa_totp', column: 'secret', rowId: row.id }
    expect((await decryptField(t.ctx.keys, ref, row.secret)).equals(raw)).toBe(true)
    const moved = { ...ref, rowId: org.owner.id }
    await expect(decryptField(t.ctx.keys, moved, row.secret)).rejects.toMatchObject({
      reason: 'ciphertext_rejected',
    })
  })

  it('IAM-4: a valid code enables it; the same code cannot confirm twice', async () => {
    const { owner } = await organisation()
    const { secret } = (await startEnrolment(t, owner)).json() as Enrolment
    const code = codeFor(secret)
    const res = await confirm(t, owner, code)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({
      totp: { enabled: true, confirmedAt: expect.any(String) },
      recoveryCodes: { remaining: 0 },
      passkeys: { count: 0 },
    })
    const again = await confirm(t, owner, code)
    expect(again.statusCode).toBe(409)
    expect(again.json().error.code).toBe('MFA_TOTP_ALREADY_ENABLED')
  })

  it('IAM-4: a wrong code, or one from two steps ago, does not confirm', async () => {
    const { owner } = await organisation()
    const { secret } = (await startEnrolment(t, owner)).json() as Enrolment
    const current = codeFor(secret)
    const wrong = current === '000000' ? '000001' : '000000'
    for (const code of [wrong, codeFor(secret, -2), codeFor(secret, 2)]) {
      if (code === current) continue
      const res = await confirm(t, owner, code)
      expect(res.statusCode).toBe(422)
      expect(res.json().error.code).toBe('MFA_CODE_INVALID')
    }
    expect((await mfaStateOf(t, owner)).totp).toEqual({ enabled: false, confirmedAt: null })
  })

  it('IAM-4: starting again replaces a pending enrolment: only the new secret confirms', async () => {
    const { org, owner } = await organisation()
    const first = (await startEnrolment(t, owner)).json() as Enrolment
    const firstRow = await storedTotp(t, org.owner.id)
    const second = (await startEnrolment(t, owner)).json() as Enrolment
    expect(second.secret).not.toBe(first.secret)
    const secondRow = await storedTotp(t, org.owner.id)
    expect(secondRow?.id).not.toBe(firstRow?.id)
    const stale = codeFor(first.secret)
    if (stale !== codeFor(second.secret)) {
      expect((await confirm(t, owner, stale)).statusCode).toBe(422)
    }
    expect((await confirm(t, owner, codeFor(second.secret))).statusCode).toBe(200)
  })

  it('IAM-4: an enabled authenticator must be removed before enrolling another', async () => {
    const { owner } = await organisation()
    await enableTotp(t, owner)
    const res = await startEnrolment(t, owner)
    expect(res.statusCode).toBe(409)
    expect(res.json().error.code).toBe('MFA_TOTP_ALREADY_ENABLED')
    expect((await mfaStateOf(t, owner)).totp?.enabled).toBe(true)
    expect((await remove(owner)).statusCode).toBe(204)
    expect((await mfaStateOf(t, owner)).totp).toBeNull()
    expect((await startEnrolment(t, owner)).statusCode).toBe(201)
  })

  it('IAM-4: confirming with nothing started, or removing nothing, is refused with a stable code', async () => {
    const { owner } = await organisation()
    const confirmed = await confirm(t, owner, '123456')
    expect(confirmed.statusCode).toBe(409)
    expect(confirmed.json().error.code).toBe('MFA_TOTP_NOT_STARTED')
    const removed = await remove(owner)
    expect(removed.statusCode).toBe(404)
    expect(removed.json().error.code).toBe('MFA_TOTP_NOT_FOUND')
  })

  it('LOG-1: enable, a refused confirmation and disable are audited with ids only', async () => {
    const { org, owner } = await organisation()
    const before = (await auditEventsOf(t, owner)).length
    const { secret } = (await startEnrolment(t, owner)).json() as Enrolment
    const current = codeFor(secret)
    await confirm(t, owner, current === '000000' ? '000001' : '000000')
    await confirm(t, owner, current)
    await remove(owner)
    // A pending enrolment's removal changes no sign-in, so it writes nothing.
    await startEnrolment(t, owner)
    await remove(owner)
    const events = (await auditEventsOf(t, owner)).slice(before)
    expect(events.map((e) => [e.action, e.outcome, e.reason])).toEqual([
      ['mfa.totp.enable', 'failure', 'invalid_code'],
      ['mfa.totp.enable', 'success', undefined],
      ['mfa.totp.disable', 'success', undefined],
    ])
    const user = { type: 'user', id: org.owner.id }
    for (const e of events) {
      expect(e).toMatchObject({ category: 'iam', actor: user, target: user })
      expect(e.source?.ip).toBeTruthy()
      expect(e.text).not.toContain(org.owner.email)
      expect(e.text).not.toContain(secret)
    }
  })

  it('LOG-1: no log line holds the secret, the otpauth URI or the e-mail address', async () => {
    const { org, owner } = await organisation()
    const { secret, otpauthUri } = (await startEnrolment(t, owner)).json() as Enrolment
    await confirm(t, owner, codeFor(secret))
    const logs = t.logText()
    expect(logs.length).toBeGreaterThan(0)
    expect(logs).not.toContain(secret)
    expect(logs).not.toContain(otpauthUri)
    expect(logs).not.toContain(org.owner.email)
  })

  it('IAM-6: without a session every MFA route answers 401', async () => {
    for (const [method, url, payload] of [
      ['GET', '/api/v1/me/mfa', undefined],
      ['POST', '/api/v1/me/mfa/totp', undefined],
      ['POST', '/api/v1/me/mfa/totp/confirm', { code: '123456' }],
      ['DELETE', '/api/v1/me/mfa/totp', undefined],
      ['POST', '/api/v1/me/mfa/recovery-codes', {}],
    ] as const) {
      const res = await t.app.inject({ method, url, ...(payload ? { payload } : {}) })
      expect(res.statusCode, `${method} ${url}`).toBe(401)
      expect(res.json().error.code).toBe('AUTH_REQUIRED')
    }
  })
})

/** RFC 4648 base32 to bytes (the test's own decoder, independent of the code under test). */
function base32Decode(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = 0
  let value = 0
  const out: number[] = []
  for (const char of text) {
    value = (value << 5) | alphabet.indexOf(char)
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out.push((value >>> bits) & 0xff)
    }
  }
  return Uint8Array.from(out)
}
