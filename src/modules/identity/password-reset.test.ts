// IAM-2, IAM-6, LOG-1: password reset by e-mail, end to end through HTTP and a real SMTP server.
// The link from the mail sets a new password once; the old password and every old session stop
// working at once; only the token's hash is ever stored; each step is audited without the address.
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import type { AuditEvent } from '../audit/events.ts'
import {
  confirmReset,
  createResetTestApp,
  mailsTo,
  NEW_PASSWORD,
  type ResetTestApp,
  requestReset,
  resetTokenFor,
  signInWith,
  tokenIn,
} from './password-reset.test-support.ts'

let t: ResetTestApp
beforeAll(async () => {
  t = await createResetTestApp(
    { RAMPART_PUBLIC_URL: 'https://rampart.example.com' },
    { captureLogs: true },
  )
})
afterAll(() => t.close())

async function auditEvents(
  who: SignedUp,
  password: string,
): Promise<(AuditEvent & { text: string })[]> {
  const signedIn = await signInWith(t.app, who, password)
  const res = await t.app.inject({
    method: 'GET',
    url: '/api/v1/audit/events?limit=500',
    headers: { authorization: `Bearer ${signedIn.json().token}` },
  })
  const { events } = res.json() as { events: AuditEvent[] }
  return events.reverse().map((e) => ({ ...e, text: JSON.stringify(e) }))
}

function tokenRows(userId: string) {
  return t.database.handle.db
    .selectFrom('password_reset_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute()
}

describe('password reset', () => {
  it('IAM-2, IAM-6: the mailed link sets a new password; the old one and every old session stop working', async () => {
    const acme = await signUp(t.app)
    const before = [await signInBearer(t.app, acme), await signInBearer(t.app, acme)]
    // The second sign-in came from a new device, which is news to the owner (IAM-6).
    expect(await t.deliver()).toMatchObject({ sent: 1 })
    const earlier = mailsTo(t.smtp, acme.owner.email).length

    const res = await requestReset(t.app, { tenant: acme.tenant.slug, email: acme.owner.email })
    expect(res.statusCode).toBe(202)
    expect(await t.deliver()).toMatchObject({ sent: 1 })
    const [mail] = mailsTo(t.smtp, acme.owner.email).slice(earlier)
    expect(mail?.headers.get('subject')).toBe('Reset your Rampart password')
    expect(mail?.text).toContain(`your account at ${acme.tenant.name}`)
    expect(mail?.text).toMatch(/within 30 minutes/)
    // The token travels in the fragment, which browsers never send to a server.
    expect(mail?.text).toMatch(
      /https:\/\/rampart\.example\.com\/reset-password#token=[A-Za-z0-9_-]{43}\n/,
    )
    const token = tokenIn(mail)

    const done = await confirmReset(t.app, { token, newPassword: NEW_PASSWORD })
    expect(done.statusCode).toBe(204)
    for (const session of before) {
      const me = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: session.authorization,
      })
      expect(me.statusCode).toBe(401)
    }
    expect((await signInWith(t.app, acme, acme.password)).statusCode).toBe(401)
    expect((await signInWith(t.app, acme, NEW_PASSWORD)).statusCode).toBe(201)

    const sessions = await t.database.handle.db
      .selectFrom('sessions')
      .select('revoked_reason')
      .where(
        'id',
        'in',
        before.map((s) => s.sessionId),
      )
      .execute()
    expect(sessions.map((s) => s.revoked_reason)).toEqual(['password-reset', 'password-reset'])

    // IAM-6: the owner hears of the change, in a mail with no link.
    await t.deliver()
    const notice = mailsTo(t.smtp, acme.owner.email).find(
      (m) => m.headers.get('subject') === 'Your Rampart password was changed',
    )
    expect(notice?.headers.get('subject')).toBe('Your Rampart password was changed')
    expect(notice?.text).toContain('from the address 127.0.0.1')
    expect(notice?.text).not.toContain('reset-password')
  })

  it('IAM-3: a reset lifts the lock that guesses at the old password set', async () => {
    const acme = await signUp(t.app)
    for (let i = 0; i < 5; i++) await signInWith(t.app, acme, `Guess-${i}-not-it-at-all`)
    expect((await signInWith(t.app, acme, acme.password)).statusCode).toBe(401)
    const token = await resetTokenFor(t, acme)
    expect((await confirmReset(t.app, { token, newPassword: NEW_PASSWORD })).statusCode).toBe(204)
    expect((await signInWith(t.app, acme, NEW_PASSWORD)).statusCode).toBe(201)
  })

  it('IAM-2: a token works once', async () => {
    const acme = await signUp(t.app)
    const token = await resetTokenFor(t, acme)
    expect((await confirmReset(t.app, { token, newPassword: NEW_PASSWORD })).statusCode).toBe(204)
    const again = await confirmReset(t.app, { token, newPassword: 'another-Quiet-harbour-93-lamp' })
    expect(again.statusCode).toBe(400)
    expect(again.json().error.code).toBe('IDENTITY_RESET_TOKEN_INVALID')
    expect((await signInWith(t.app, acme, NEW_PASSWORD)).statusCode).toBe(201)
  })

  it('IAM-2: only the SHA-256 of a token is stored; the mail body is cleared once sent', async () => {
    const acme = await signUp(t.app)
    const token = await resetTokenFor(t, acme)
    const [row] = await tokenRows(acme.owner.id)
    expect(row?.token_hash).toBe(createHash('sha256').update(token).digest('hex'))
    expect(Buffer.from(token, 'base64url')).toHaveLength(32)
    const expiresIn = (row?.expires_at.getTime() ?? 0) - Date.now()
    expect(expiresIn).toBeGreaterThan(29 * 60_000)
    expect(expiresIn).toBeLessThanOrEqual(30 * 60_000)
    const { rows } = await sql<{ found: number }>`
      SELECT (SELECT count(*) FROM password_reset_tokens WHERE token_hash = ${token})::int
           + (SELECT count(*) FROM mail_outbox WHERE body_text LIKE ${`%${token}%`})::int AS found
      `.execute(t.database.handle.db)
    expect(rows[0]?.found).toBe(0)
  })

  it('IAM-2: an expired token is refused with the same code, and the password is unchanged', async () => {
    const acme = await signUp(t.app)
    const token = await resetTokenFor(t, acme)
    await sql`UPDATE password_reset_tokens SET expires_at = now() - interval '1 second'
      WHERE user_id = ${acme.owner.id}`.execute(t.database.handle.db)
    const res = await confirmReset(t.app, { token, newPassword: NEW_PASSWORD })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('IDENTITY_RESET_TOKEN_INVALID')
    expect((await signInWith(t.app, acme, acme.password)).statusCode).toBe(201)
  })

  it('IAM-2: a new request voids the older unused link', async () => {
    const acme = await signUp(t.app)
    const first = await resetTokenFor(t, acme)
    const second = await resetTokenFor(t, acme)
    expect(second).not.toBe(first)
    const old = await confirmReset(t.app, { token: first, newPassword: NEW_PASSWORD })
    expect(old.json().error.code).toBe('IDENTITY_RESET_TOKEN_INVALID')
    expect(
      (await confirmReset(t.app, { token: second, newPassword: NEW_PASSWORD })).statusCode,
    ).toBe(204)
    const rows = await tokenRows(acme.owner.id)
    expect(rows.map((r) => [r.used_at !== null, r.revoked_at !== null])).toEqual([
      [false, true],
      [true, false],
    ])
  })

  it('IAM-2: the password policy applies; a refused password leaves the link usable', async () => {
    const acme = await signUp(t.app)
    const token = await resetTokenFor(t, acme)
    for (const [newPassword, code] of [
      ['short', 'IDENTITY_PASSWORD_TOO_SHORT'],
      ['password1234', 'IDENTITY_PASSWORD_COMMON'],
      ['aaaaaaaaaaaaaaaa', 'IDENTITY_PASSWORD_WEAK'],
      ['x'.repeat(257), 'IDENTITY_PASSWORD_TOO_LONG'],
    ]) {
      const res = await confirmReset(t.app, { token, newPassword })
      expect(res.statusCode).toBe(422)
      expect(res.json().error.code).toBe(code)
    }
    // Any characters: a passphrase in other scripts is fine.
    const unicode = 'Жёлтый-кот-спит-на-крыше-42'
    expect((await confirmReset(t.app, { token, newPassword: unicode })).statusCode).toBe(204)
    expect((await signInWith(t.app, acme, unicode)).statusCode).toBe(201)
  })

  it('a deactivated user gets no mail, and their open link stops working', async () => {
    const acme = await signUp(t.app)
    const token = await resetTokenFor(t, acme)
    const sentBefore = mailsTo(t.smtp, acme.owner.email).length
    await t.database.handle.db
      .updateTable('users')
      .set({ status: 'deactivated' })
      .where('id', '=', acme.owner.id)
      .execute()
    const res = await requestReset(t.app, { tenant: acme.tenant.slug, email: acme.owner.email })
    expect(res.statusCode).toBe(202)
    await t.deliver()
    expect(mailsTo(t.smtp, acme.owner.email)).toHaveLength(sentBefore)
    const confirm = await confirmReset(t.app, { token, newPassword: NEW_PASSWORD })
    expect(confirm.json().error.code).toBe('IDENTITY_RESET_TOKEN_INVALID')
  })

  it('LOG-1: request and completion are audited with user ids, never the e-mail address', async () => {
    const acme = await signUp(t.app)
    const earlier = await signInBearer(t.app, acme)
    const token = await resetTokenFor(t, acme)
    await confirmReset(t.app, { token, newPassword: NEW_PASSWORD })
    await confirmReset(t.app, { token, newPassword: NEW_PASSWORD })
    const events = await auditEvents(acme, NEW_PASSWORD)
    const reset = events.filter((e) => e.action.startsWith('password_reset.'))
    expect(reset.map((e) => [e.action, e.outcome, e.reason])).toEqual([
      ['password_reset.request', 'success', undefined],
      ['password_reset.complete', 'success', undefined],
    ])
    for (const e of reset) {
      expect(e.actor).toEqual({ type: 'user', id: acme.owner.id })
      expect(e.target).toEqual({ type: 'user', id: acme.owner.id })
      expect(e.source).toEqual({ ip: '127.0.0.1' })
    }
    expect(reset[1]?.fields).toEqual(['password_hash'])
    const revokes = events.filter(
      (e) => e.action === 'session.revoke' && e.reason === 'password_reset',
    )
    expect(revokes.map((e) => e.target?.id)).toEqual([earlier.sessionId])
    for (const e of events) expect(e.text).not.toContain(acme.owner.email)
  })

  it('LOG-6: no log line holds the e-mail address, the reset token or the new password', async () => {
    const acme = await signUp(t.app)
    const token = await resetTokenFor(t, acme)
    await confirmReset(t.app, { token, newPassword: NEW_PASSWORD })
    await confirmReset(t.app, { token, newPassword: NEW_PASSWORD })
    await t.deliver()
    const written = JSON.stringify(t.logs)
    expect(t.logs.length).toBeGreaterThan(0)
    for (const secret of [acme.owner.email, token, NEW_PASSWORD]) {
      expect(written).not.toContain(secret)
    }
  })

  it('LOG-1: a request for an unknown address is audited as a failure in the organisation log', async () => {
    const acme = await signUp(t.app)
    await requestReset(t.app, { tenant: acme.tenant.slug, email: 'nobody@nowhere.example' })
    const events = await auditEvents(acme, acme.password)
    const refused = events.filter((e) => e.action === 'password_reset.request')
    expect(refused.map((e) => [e.outcome, e.reason, e.actor.type])).toEqual([
      ['failure', 'unknown_user', 'anonymous'],
    ])
    expect(refused[0]?.text).not.toContain('nobody@nowhere.example')
  })
})
