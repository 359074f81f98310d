// IAM-4: passkeys in a real browser. Chromium's virtual authenticator (DevTools protocol
// WebAuthn.addVirtualAuthenticator) stands in for a security key with user verification: the
// console registers a passkey, signs in with it alone (passwordless), uses it as the second
// factor after the password and for step-up. The server checks origin and relying party, so the
// console is opened at http://localhost:<port>, the public URL the server is configured with.
import { createServer } from 'node:net'
import type { Browser, CDPSession, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createTestApp, signUp, type TestApp } from '../support/app.ts'

import {
  browserSkipReason,
  freshPage,
  heading,
  signInThroughForm,
  startConsole,
  visited,
} from './browser.ts'

const skipReason = browserSkipReason()

/** A port free now, so the public URL (and with it the relying party) is known before start. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (!address || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** A USB security key with a resident-key store and user verification, always consenting. */
async function addAuthenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('WebAuthn.enable')
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'usb',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  })
  return { cdp, id: authenticatorId }
}

describe.skipIf(skipReason !== null)('passkeys in Chromium (IAM-4)', () => {
  let t: TestApp
  let browser: Browser
  let base: string

  beforeAll(async () => {
    const port = await freePort()
    base = `http://localhost:${port}`
    ;({ t, browser } = await startConsole(
      () => createTestApp({ env: { RAMPART_PLAIN_HTTP: 'true', RAMPART_PUBLIC_URL: base } }),
      port,
    ))
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('IAM-4: a passkey registered in the console signs in alone, answers the second-factor step and step-up', async () => {
    const org = await signUp(t.app)
    const page = await freshPage(browser)
    // localhost resolves to the loopback the server listens on.
    await page.goto(`${base}/sign-in`)
    const { cdp, id } = await addAuthenticator(page)
    await signInThroughForm(page, base, {
      slug: org.tenant.slug,
      email: org.owner.email,
      password: org.password,
    })

    await page.goto(`${base}/account/mfa`)
    await heading(page, 'Second factors').waitFor()
    await page.getByLabel('Name of the new passkey').fill('Virtual key ✓')
    await page.getByRole('button', { name: 'Add a passkey' }).click()
    await page.getByText('Virtual key ✓').waitFor()
    await visited(page, 'mfa-passkey-added')
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: id })
    expect(credentials).toHaveLength(1)
    expect(credentials[0]?.isResidentCredential).toBe(true)
    // The server holds the same credential, under the name given.
    const stored = await t.database.handle.db
      .selectFrom('mfa_passkeys')
      .select(['name'])
      .where('tenant_id', '=', org.tenant.id)
      .execute()
    expect(stored).toEqual([{ name: 'Virtual key ✓' }])

    // Passwordless: only the organisation and the passkey.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await heading(page, 'Sign in').waitFor()
    await page.getByLabel('Organisation').fill(org.tenant.slug)
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
    // Back where the sign-out left.
    await heading(page, 'Second factors').waitFor()
    const signCount = (await cdp.send('WebAuthn.getCredentials', { authenticatorId: id }))
      .credentials[0]?.signCount
    expect(signCount).toBeGreaterThan(0)

    // Password, then the passkey as the second factor.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await signInThroughFormWithFactor(page, org)
    await heading(page, 'Second factor').waitFor()
    await visited(page, 'sign-in-passkey-factor')
    await page.getByRole('button', { name: 'Continue' }).click()
    await heading(page, 'Second factors').waitFor()

    // Step-up: the dialog asks for the password and the passkey, then the removal goes through.
    const sessionId = await page.evaluate(async () => {
      const me = (await (await fetch('/api/v1/me')).json()) as { session: { id: string } }
      return me.session.id
    })
    // A sign-in older than the step-up window (IAM-6).
    await t.database.handle.db
      .updateTable('sessions')
      .set({ authenticated_at: new Date(Date.now() - 15 * 60_000) })
      .where('id', '=', sessionId)
      .execute()
    await page.goto(`${base}/account/mfa`)
    await page.getByRole('button', { name: 'Remove' }).click()
    await page
      .getByRole('dialog', { name: /Remove the passkey/ })
      .getByRole('button', { name: 'Remove' })
      .click()
    const stepUp = page.getByRole('dialog', { name: 'Confirm it is you' })
    await stepUp.waitFor()
    await stepUp.getByLabel('Password').fill(org.password)
    // The passkey is the only second factor: no choice to make, the browser asks for it.
    await stepUp.getByText('your browser asks for your passkey').waitFor()
    await stepUp.getByRole('button', { name: 'Confirm' }).click()
    await page.getByText(/^No passkeys yet/).waitFor()
    expect(
      await t.database.handle.db
        .selectFrom('mfa_passkeys')
        .select('id')
        .where('tenant_id', '=', org.tenant.id)
        .execute(),
    ).toEqual([])
  }, 90_000)

  it('IAM-4: a cancelled passkey prompt says so and leaves the user signed out', async () => {
    const org = await signUp(t.app)
    const page = await freshPage(browser)
    await page.goto(`${base}/sign-in`)
    const { cdp, id } = await addAuthenticator(page)
    // The authenticator refuses user verification: the browser rejects the request.
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId: id, isUserVerified: false })
    await page.getByLabel('Organisation').fill(org.tenant.slug)
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await page.getByRole('alert').waitFor()
    expect(await page.getByRole('alert').textContent()).toMatch(/passkey/i)
    await heading(page, 'Sign in').waitFor()
    expect(await page.evaluate(async () => (await fetch('/api/v1/me')).status)).toBe(401)
  })
})

async function signInThroughFormWithFactor(
  page: Page,
  org: { tenant: { slug: string }; owner: { email: string }; password: string },
): Promise<void> {
  await page.getByLabel('Organisation').fill(org.tenant.slug)
  await page.getByLabel('E-mail address').fill(org.owner.email)
  await page.getByLabel('Password', { exact: true }).fill(org.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
}
