// IAM-3, IAM-6: a user hears by e-mail, through a real SMTP server, when their account is locked
// after consecutive failures and when it is signed in to from a new browser; the very first
// sign-in and sign-ins from a known browser send nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signUp } from '../../../test/support/app.ts'
import { createResetTestApp, mailsTo, type ResetTestApp } from './password-reset.test-support.ts'

let t: ResetTestApp

beforeAll(async () => {
  t = await createResetTestApp()
})
afterAll(() => t.close())

function signIn(who: Awaited<ReturnType<typeof signUp>>, password: string, device?: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0' },
    payload: { tenant: who.tenant.slug, email: who.owner.email, password, mode: 'bearer' },
    ...(device ? { cookies: { '__Host-rampart_device': device } } : {}),
  })
}

function subjects(address: string): string[] {
  return mailsTo(t.smtp, address).map((m) => m.headers.get('subject') as string)
}

describe('security notices by e-mail', () => {
  it('IAM-3: the fifth consecutive failure locks the account and mails its owner once', async () => {
    const who = await signUp(t.app)
    for (let i = 0; i < 7; i++) await signIn(who, `Guess-number-${i}-wrong`)
    await t.deliver()
    const locks = mailsTo(t.smtp, who.owner.email).filter(
      (m) => m.headers.get('subject') === 'Sign-ins to your Rampart account were paused',
    )
    expect(locks).toHaveLength(1)
    expect(locks[0]?.text).toContain(`your account at ${who.tenant.name}`)
    expect(locks[0]?.text).toMatch(
      /After 5 failed sign-in attempts, the last from the address 127\.0\.0\.1/,
    )
    // LOG-6: the guessed passwords never travel in the mail.
    expect(locks[0]?.text).not.toContain('Guess-number')
  })

  it('IAM-6: the first sign-in and a known browser send nothing; a new browser sends a notice', async () => {
    const who = await signUp(t.app)
    const first = await signIn(who, who.password)
    const device = first.cookies.find((c) => c.name === '__Host-rampart_device')?.value
    expect(device).toBeTruthy()
    await signIn(who, who.password, device)
    await t.deliver()
    expect(subjects(who.owner.email)).toEqual([])

    await signIn(who, who.password)
    await t.deliver()
    const notices = mailsTo(t.smtp, who.owner.email)
    expect(notices.map((m) => m.headers.get('subject'))).toEqual([
      'New sign-in to your Rampart account',
    ])
    expect(notices[0]?.text).toContain('address: 127.0.0.1')
    expect(notices[0]?.text).toMatch(/device: {2}Firefox/)
  })
})
