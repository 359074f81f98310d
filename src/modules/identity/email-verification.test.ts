// IAM-1, IAM-6: an address becomes the account's only through a link sent to it (delivered here
// by a real SMTP server); a change needs a fresh authentication, tells the old address, takes
// effect only on confirmation, and each link works once.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import type { CapturedMail } from '../mail/mail.test-support.ts'
import { createResetTestApp, mailsTo, type ResetTestApp } from './password-reset.test-support.ts'

let t: ResetTestApp

beforeAll(async () => {
  t = await createResetTestApp()
})
afterAll(() => t.close())

function post(url: string, session: SignedIn | null, payload?: object) {
  return t.app.inject({
    method: 'POST',
    url,
    ...(session ? { headers: session.authorization } : {}),
    ...(payload ? { payload } : {}),
  })
}

function tokenOf(mail: CapturedMail | undefined): string {
  const token = /\/verify-email#token=([A-Za-z0-9_-]{43})\n/.exec(mail?.text ?? '')?.[1]
  if (!token) throw new Error(`no verification link in: ${mail?.text}`)
  return token
}

async function lastMailTo(address: string, subject: string): Promise<CapturedMail | undefined> {
  await t.deliver()
  return mailsTo(t.smtp, address)
    .filter((m) => m.headers.get('subject') === subject)
    .at(-1)
}

async function me(session: SignedIn) {
  const res = await t.app.inject({
    method: 'GET',
    url: '/api/v1/me',
    headers: session.authorization,
  })
  return res.json().user as { email: string; emailVerified: boolean }
}

function signInAs(who: SignedUp, email: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    payload: { tenant: who.tenant.slug, email, password: who.password, mode: 'bearer' },
  })
}

describe('IAM-1, IAM-6 e-mail addresses', () => {
  it('IAM-6: a change takes effect only when the new address confirms; the old one hears of both steps', async () => {
    const who = await signUp(t.app)
    const session = await signInBearer(t.app, who)
    const next = `new-${who.tenant.slug}@elsewhere.example`
    expect((await post('/api/v1/me/email', session, { email: next })).statusCode).toBe(202)
    const link = await lastMailTo(next, 'Confirm your e-mail address for Rampart')
    const warned = await lastMailTo(
      who.owner.email,
      'A change of your Rampart e-mail address was requested',
    )
    expect(warned).toBeDefined()
    // Nothing changed yet.
    expect((await me(session)).email).toBe(who.owner.email)
    expect((await signInAs(who, next)).statusCode).toBe(401)

    const token = tokenOf(link)
    const done = await post('/api/v1/email-verification', null, { token })
    expect(done.statusCode, done.body).toBe(200)
    expect(done.json()).toEqual({ changed: true })
    expect(await me(session)).toMatchObject({ email: next, emailVerified: true })
    expect((await signInAs(who, who.owner.email)).statusCode).toBe(401)
    expect((await signInAs(who, next)).statusCode).toBe(201)
    expect(
      await lastMailTo(who.owner.email, 'The e-mail address of your Rampart account was changed'),
    ).toBeDefined()
    // A link works once.
    const again = await post('/api/v1/email-verification', null, { token })
    expect(again.statusCode).toBe(400)
    expect(again.json().error.code).toBe('IDENTITY_EMAIL_TOKEN_INVALID')
  })

  it('IAM-1: the current address is verified by its link; a second request is refused as done', async () => {
    const who = await signUp(t.app)
    const session = await signInBearer(t.app, who)
    expect((await me(session)).emailVerified).toBe(false)
    expect((await post('/api/v1/me/email/verification', session)).statusCode).toBe(202)
    const token = tokenOf(
      await lastMailTo(who.owner.email, 'Confirm your e-mail address for Rampart'),
    )
    expect((await post('/api/v1/email-verification', null, { token })).json()).toEqual({
      changed: false,
    })
    expect((await me(session)).emailVerified).toBe(true)
    const again = await post('/api/v1/me/email/verification', session)
    expect(again.statusCode).toBe(409)
    expect(again.json().error.code).toBe('IDENTITY_EMAIL_ALREADY_VERIFIED')
  })

  it('IAM-6: a newer link voids the older; an address another user has is refused at confirmation', async () => {
    const who = await signUp(t.app)
    const session = await signInBearer(t.app, who)
    const first = `first-${who.tenant.slug}@elsewhere.example`
    const second = `second-${who.tenant.slug}@elsewhere.example`
    await post('/api/v1/me/email', session, { email: first })
    const older = tokenOf(await lastMailTo(first, 'Confirm your e-mail address for Rampart'))
    await post('/api/v1/me/email', session, { email: second })
    expect((await post('/api/v1/email-verification', null, { token: older })).statusCode).toBe(400)
    expect((await me(session)).email).toBe(who.owner.email)

    // Another organisation may have the address; only this organisation's users count.
    const other = await signUp(t.app)
    const otherSession = await signInBearer(t.app, other)
    await post('/api/v1/me/email', otherSession, { email: second })
    const cross = tokenOf(await lastMailTo(second, 'Confirm your e-mail address for Rampart'))
    const newer = mailsTo(t.smtp, second).filter((m) => m.text?.includes(who.tenant.name))
    expect(newer.length).toBeGreaterThan(0)
    expect((await post('/api/v1/email-verification', null, { token: cross })).statusCode).toBe(200)

    // A colleague in the same organisation took the address meanwhile: refused, nothing changes.
    const taken = `taken-${who.tenant.slug}@elsewhere.example`
    await post('/api/v1/me/email', session, { email: taken })
    const pending = tokenOf(await lastMailTo(taken, 'Confirm your e-mail address for Rampart'))
    await t.database.handle.db
      .insertInto('users')
      .values({
        id: randomUUID(),
        tenant_id: who.tenant.id,
        email: taken,
        email_normalized: taken,
        password_hash: null,
        role: 'member',
        last_sign_in_at: null,
      })
      .execute()
    const refused = await post('/api/v1/email-verification', null, { token: pending })
    expect(refused.statusCode).toBe(409)
    expect(refused.json().error.code).toBe('IDENTITY_EMAIL_TAKEN')
    expect((await me(session)).email).toBe(who.owner.email)
  })

  it('IAM-6: changing the address needs a fresh authentication; input is validated; mails are limited', async () => {
    const who = await signUp(t.app)
    const session = await signInBearer(t.app, who)
    for (const email of ['not-an-address', "x' OR 1=1 --@", 'a'.repeat(300), 42]) {
      const res = await post('/api/v1/me/email', session, { email } as object)
      expect(res.statusCode, String(email)).toBe(400)
    }
    const same = await post('/api/v1/me/email', session, { email: who.owner.email.toUpperCase() })
    expect(same.statusCode).toBe(422)
    const codes = []
    for (let i = 0; i < 4; i++) {
      codes.push((await post('/api/v1/me/email', session, { email: `n${i}@x.example` })).statusCode)
    }
    expect(codes).toEqual([202, 202, 202, 429])
    await t.database.handle.db
      .updateTable('sessions')
      .set({ authenticated_at: new Date(Date.now() - 3_600_000) })
      .where('id', '=', session.sessionId)
      .execute()
    const stale = await post('/api/v1/me/email', session, { email: 'later@x.example' })
    expect(stale.statusCode).toBe(403)
    expect(stale.json().error.code).toBe('IDENTITY_STEP_UP_REQUIRED')
  })

  it('SEC-3: bogus tokens of every shape get the same 400', async () => {
    for (const token of ['x', 'A'.repeat(43), "'; DROP TABLE users; --", '\u202e'.repeat(10)]) {
      const res = await post('/api/v1/email-verification', null, { token })
      expect(res.statusCode).toBe(400)
      expect(res.json().error.code).toBe('IDENTITY_EMAIL_TOKEN_INVALID')
    }
    expect(
      (await post('/api/v1/email-verification', null, { token: 1 } as object)).statusCode,
    ).toBe(400)
  })
})
