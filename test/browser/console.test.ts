// The console in a real browser (Chromium through playwright-core) against the real server: the
// screens work end to end under the strict CSP (SEC-2), text from users is never markup, and the
// main pages have no serious accessibility faults. Screenshots go to test-artifacts/screenshots/.
import { readFileSync } from 'node:fs'
import * as OTPAuth from 'otpauth'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ageSession,
  createMembersTestApp,
  invite,
  type MembersTestApp,
} from '../../src/modules/identity/members.test-support.ts'
import {
  mailsTo,
  NEW_PASSWORD,
  signInWith,
  tokenIn,
} from '../../src/modules/identity/password-reset.test-support.ts'
import { STRONG_PASSWORD, signInBearer, signUp, uniqueSlug } from '../support/app.ts'
import {
  browserSkipReason,
  dialogsOpened,
  freshPage,
  heading,
  overflowsHorizontally,
  type PageGlobals,
  startConsole,
  visited,
} from './browser.ts'

const skipReason = browserSkipReason()
if (skipReason) console.warn(`console browser tests skipped: ${skipReason}`)

describe.skipIf(skipReason !== null)('the console in Chromium', () => {
  let t: MembersTestApp
  let browser: Browser
  let base: string

  beforeAll(async () => {
    ;({ t, browser, base } = await startConsole(() =>
      createMembersTestApp({ RAMPART_PLAIN_HTTP: 'true' }),
    ))
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  const newPage = (viewport?: { width: number; height: number }) => freshPage(browser, viewport)

  it('IAM-1: sign-up leads to the signed-in home, the account page, administration and a first dashboard, and works at phone width', async () => {
    const page = await newPage()
    const slug = uniqueSlug('web')
    await page.goto(`${base}/sign-up`)
    await heading(page, 'Create your organisation').waitFor()
    await visited(page, 'sign-up')

    await page.getByLabel('Organisation name').fill('Acme Browser Ltd')
    await page.getByLabel('Short name').fill(slug)
    await page.getByLabel('Your e-mail address').fill(`owner@${slug}.example`)
    await page.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD)
    await page.getByRole('button', { name: 'Create organisation' }).click()

    await heading(page, 'Welcome to Acme Browser Ltd').waitFor()
    await page.getByText('You have no second factor yet').waitFor()
    await visited(page, 'home')

    await page.getByRole('navigation').getByRole('link', { name: 'My account' }).click()
    await heading(page, 'My account').waitFor()
    await page.getByText('this browser').waitFor()
    await visited(page, 'account')

    await page
      .getByRole('navigation')
      .getByRole('link', { name: /Administration/ })
      .click()
    await heading(page, /Administration/).waitFor()
    // Inside an area the frame's links stay absolute and the current area is marked.
    await page
      .getByRole('link', { name: /Users and invitations/ })
      .first()
      .click()
    await heading(page, 'Users and invitations').waitFor()
    expect(new URL(page.url()).pathname).toBe('/admin/members')
    const nav = page.getByRole('navigation', { name: 'Main' })
    expect(
      await nav.getByRole('link', { name: 'Administration' }).getAttribute('aria-current'),
    ).toBe('page')
    await nav.getByRole('link', { name: 'My account' }).click()
    await heading(page, 'My account').waitFor()
    expect(new URL(page.url()).pathname).toBe('/account')

    // On to a first dashboard of the new organisation.
    await nav.getByRole('link', { name: 'Dashboards' }).click()
    await heading(page, 'Dashboards').waitFor()
    await page.getByLabel('Name').fill('First dashboard')
    await page.getByRole('button', { name: 'Create dashboard' }).click()
    await heading(page, 'First dashboard').waitFor()
    expect(new URL(page.url()).pathname).toMatch(/^\/dashboards\/[0-9a-f-]{36}$/)

    await page.setViewportSize({ width: 375, height: 740 })
    for (const [path, name, title] of [
      ['/', 'home-phone', /Welcome/],
      ['/account', 'account-phone', 'My account'],
    ] as const) {
      await page.goto(`${base}${path}`)
      await heading(page, title).waitFor()
      expect(await overflowsHorizontally(page)).toBe(false)
      await visited(page, name, false)
    }
  })

  it('IAM-4: a TOTP enrolled through the console (QR code, recovery codes) is asked at the next sign-in', async () => {
    const org = await signUp(t.app)
    const page = await newPage()
    await page.goto(`${base}/sign-in`)
    await heading(page, 'Sign in').waitFor()
    await visited(page, 'sign-in')

    // Keyboard only: the fields come in order and Enter submits.
    await page.keyboard.press('Tab')
    await page.keyboard.type(org.tenant.slug)
    await page.keyboard.press('Tab')
    await page.keyboard.type(org.owner.email)
    await page.keyboard.press('Tab')
    await page.keyboard.type(org.password)
    await page.keyboard.press('Enter')
    await heading(page, `Welcome to ${org.tenant.name}`).waitFor()

    await page.getByRole('link', { name: 'Set one up now' }).click()
    await heading(page, 'Second factors').waitFor()
    await visited(page, 'mfa-setup')
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click()
    const qr = page.getByRole('img', { name: /QR code/ })
    await qr.waitFor()
    // The API's QR code is a data: image, which img-src admits; it must have really loaded.
    expect(
      await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
    ).toBeGreaterThan(0)
    await visited(page, 'mfa-qr')

    const secret = (await page.getByTestId('totp-secret').textContent()) ?? ''
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) })
    await page.getByLabel('Six-digit code').fill(totp.generate())
    await page.getByRole('button', { name: 'Turn on' }).click()

    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor()
    const codes = await page
      .getByRole('list', { name: 'Recovery codes' })
      .locator('li')
      .allTextContents()
    expect(codes).toHaveLength(10)
    await visited(page, 'recovery-codes')
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download' }).click(),
    ])
    const saved = readFileSync(await download.path(), 'utf8')
    for (const code of codes) expect(saved).toContain(code)
    await page.getByRole('button', { name: 'I have saved them' }).click()
    await page.getByText(/^On since/).waitFor()

    await page.getByRole('button', { name: 'Sign out' }).first().click()
    await heading(page, 'Sign in').waitFor()
    await page.getByLabel('Organisation').fill(org.tenant.slug)
    await page.getByLabel('E-mail address').fill(org.owner.email)
    await page.getByLabel('Password', { exact: true }).fill(org.password)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await heading(page, 'Second factor').waitFor()
    await visited(page, 'sign-in-second-factor')

    const codeField = page.getByLabel('Six-digit code from your authenticator app')
    // The enrolment's code is spent (single use): the next time step's code is the one to give.
    await codeField.fill(totp.generate({ timestamp: Date.now() + 30_000 }))
    await page.getByRole('button', { name: 'Continue' }).click()
    // Back where the sign-out left: the MFA page, now with the authenticator on.
    await heading(page, 'Second factors').waitFor()
    await page.getByText(/^On since/).waitFor()
  })

  it('SEC-2: an XSS string as the organisation name shows as text and never runs', async () => {
    const name = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>"'&`
    const page = await newPage()
    const slug = uniqueSlug('xss')
    await page.goto(`${base}/sign-up`)
    await page.getByLabel('Organisation name').fill(name)
    await page.getByLabel('Short name').fill(slug)
    await page.getByLabel('Your e-mail address').fill(`owner@${slug}.example`)
    await page.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD)
    await page.getByRole('button', { name: 'Create organisation' }).click()

    await heading(page, `Welcome to ${name}`).waitFor()
    expect(await page.locator('.topbar .organisation').textContent()).toBe(name)
    await page.reload()
    await heading(page, `Welcome to ${name}`).waitFor()
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__xss)).toBe(undefined)
    // Anywhere in the document (the header is outside <main>): no injected element or handler.
    expect(await page.locator('img[src="x"], script:not([src]), [onerror]').count()).toBe(0)
    expect(dialogsOpened).toEqual([])
    await visited(page, 'xss-home')
  })

  it('IAM-1, IAM-6: an invitation is accepted from its mailed link; the new member signs in and changes the password through step-up', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const email = `new.member@${org.tenant.slug}.example`
    const { token } = await invite(t, owner, email)

    const page = await newPage()
    await page.goto(`${base}/accept-invitation#token=${token}`)
    await heading(page, `Join ${org.tenant.name}`).waitFor()
    // The token leaves the address bar (and history) once read.
    expect(new URL(page.url()).hash).toBe('')
    await visited(page, 'accept-invitation')
    await page.getByLabel('Choose a password', { exact: true }).fill(NEW_PASSWORD)
    await page.getByLabel('Choose a password, again').fill(NEW_PASSWORD)
    await page.getByRole('button', { name: 'Create my account' }).click()
    await page.getByText('Your account is ready.').waitFor()

    await page.getByRole('link', { name: `Sign in to ${org.tenant.name}` }).click()
    await heading(page, 'Sign in').waitFor()
    expect(await page.getByLabel('Organisation').inputValue()).toBe(org.tenant.slug)
    expect(await page.getByLabel('E-mail address').inputValue()).toBe(email)
    await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await heading(page, `Welcome to ${org.tenant.name}`).waitFor()
    await page.getByText('with the role member').waitFor()

    // IAM-6: a password change with a sign-in older than the step-up window asks for the password
    // again in a dialog, then goes through.
    const sessionId = await page.evaluate(async () => {
      const me = (await (await fetch('/api/v1/me')).json()) as { session: { id: string } }
      return me.session.id
    })
    await ageSession(t, { token: '', sessionId, authorization: { authorization: '' } }, 15)
    await page.getByRole('navigation').getByRole('link', { name: 'My account' }).click()
    await page.getByLabel('Current password').fill(NEW_PASSWORD)
    await page.getByLabel('New password', { exact: true }).fill(STRONG_PASSWORD)
    await page.getByLabel('New password, again').fill(STRONG_PASSWORD)
    await page.getByRole('button', { name: 'Change password' }).click()
    const stepUp = page.getByRole('dialog', { name: 'Confirm it is you' })
    await stepUp.waitFor()
    await visited(page, 'step-up')
    await stepUp.getByLabel('Password').fill(NEW_PASSWORD)
    await stepUp.getByRole('button', { name: 'Confirm' }).click()
    await page.getByText(/^Password changed/).waitFor()
  })

  it('IAM-2: a password reset is asked for and completed from the mailed link', async () => {
    const org = await signUp(t.app)
    const page = await newPage()
    await page.goto(`${base}/reset-password`)
    await heading(page, 'Reset your password').waitFor()
    await visited(page, 'reset-password-request')
    await page.getByLabel('Organisation').fill(org.tenant.slug)
    await page.getByLabel('E-mail address').fill(org.owner.email)
    await page.getByRole('button', { name: 'Send the link' }).click()
    await page.getByText(/a reset link is on its way/).waitFor()

    await t.deliver()
    const token = tokenIn(mailsTo(t.smtp, org.owner.email).at(-1))
    // The link opens in a new tab, as from a mail program.
    const linked = await page.context().newPage()
    await linked.goto(`${base}/reset-password#token=${token}`)
    await heading(linked, 'Choose a new password').waitFor()
    await visited(linked, 'reset-password-confirm')
    await linked.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD)
    await linked.getByLabel('New password, again').fill(NEW_PASSWORD)
    await linked.getByRole('button', { name: 'Set the password' }).click()
    await linked.getByText('Your password is changed').waitFor()
    expect((await signInWith(t.app, org, NEW_PASSWORD)).statusCode).toBe(201)
  })
})
