// The console's security administration in Chromium against the real server: the IP allowlist
// with its self-lockout warning (IAM-8), API keys shown once and working (IAM-9), an access review
// worked through to evidence (AUTHZ-4) and the MFA policy (IAM-4). Every screen is checked for
// CSP violations (SEC-2) and with axe-core; screenshots go to test-artifacts/screenshots/.
import { readFileSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  addUser,
  call,
  createMembersTestApp,
  type MembersTestApp,
  ownerOf,
  type TestUser,
} from '../../src/modules/identity/members.test-support.ts'
import { type SignedUp, signUp } from '../support/app.ts'
import {
  browserSkipReason,
  dialogsOpened,
  freshPage,
  heading,
  overflowsHorizontally,
  signInThroughForm,
  startConsole,
  visited,
} from './browser.ts'

const skipReason = browserSkipReason()
if (skipReason) console.warn(`admin security browser tests skipped: ${skipReason}`)

describe.skipIf(skipReason !== null)('the security administration screens in Chromium', () => {
  let t: MembersTestApp
  let browser: Browser
  let base: string
  let org: SignedUp
  let owner: TestUser

  beforeAll(async () => {
    ;({ t, browser, base } = await startConsole(() =>
      createMembersTestApp({ RAMPART_PLAIN_HTTP: 'true' }),
    ))
    org = await signUp(t.app, { organisationName: 'Security Screens Ltd' })
    owner = await ownerOf(t, org)
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  /** A fresh browser profile with the owner signed in through the form. */
  async function ownerPage(viewport?: { width: number; height: number }): Promise<Page> {
    const page = await freshPage(browser, viewport)
    await signInThroughForm(page, base, {
      slug: org.tenant.slug,
      email: org.owner.email,
      password: org.password,
    })
    return page
  }

  async function savedAllowlist(): Promise<string[]> {
    const res = await call(t, owner.session, 'GET', '/api/v1/tenant/ip-allowlist')
    expect(res.statusCode).toBe(200)
    return (res.json() as { entries: { cidr: string }[] }).entries.map((e) => e.cidr)
  }

  it('IAM-8: a list without this browser’s address warns of the lock-out and is not saved; one with it is', async () => {
    const page = await ownerPage()
    await page.goto(`${base}/admin/network`)
    await heading(page, 'IP allowlist').waitFor()
    await expect.poll(() => page.getByTestId('my-address').textContent()).toBe('127.0.0.1')
    await page.getByText('No entries: every address is allowed').waitFor()

    await page.getByRole('button', { name: 'Add a range' }).click()
    // The new range's field has the focus, so keyboard users can type at once.
    await page.keyboard.type('10.0.0.0/8')
    await page.getByLabel('Label 1').fill('Office <b>VPN</b>')
    await page.getByRole('button', { name: 'Save the list' }).click()

    const warning = page.getByRole('dialog', { name: 'This list would lock you out' })
    await warning.waitFor()
    await warning.getByText('127.0.0.1', { exact: true }).waitFor()
    await visited(page, 'admin-network')
    await warning.getByRole('button', { name: 'Cancel' }).click()
    await warning.waitFor({ state: 'hidden' })
    expect(await savedAllowlist()).toEqual([])

    // The way out the warning offers: the browser's own address is added, and the list saves.
    await page.getByRole('button', { name: 'Save the list' }).click()
    await warning.getByRole('button', { name: 'Add 127.0.0.1/32 and save' }).click()
    await page.getByText('Saved. 2 range(s) allowed.').waitFor()
    expect((await savedAllowlist()).sort()).toEqual(['10.0.0.0/8', '127.0.0.1/32'])
    // The label came back as text, not markup.
    await expect
      .poll(() =>
        page
          .getByLabel(/^Label \d$/)
          .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value)),
      )
      .toContain('Office <b>VPN</b>')

    // A list of just this browser's range saves at once.
    await page.getByRole('button', { name: /^Remove range \d \(10\.0\.0\.0\/8\)$/ }).click()
    await page.getByRole('button', { name: 'Save the list' }).click()
    await page.getByText('Saved. 1 range(s) allowed.').waitFor()
    expect(await savedAllowlist()).toEqual(['127.0.0.1/32'])
    await page.reload()
    expect(await page.getByRole('textbox', { name: 'Range 1', exact: true }).inputValue()).toBe(
      '127.0.0.1/32',
    )

    // Emptying the list lifts the restriction: it asks first, and Cancel keeps the list.
    await page.getByRole('button', { name: 'Remove range 1 (127.0.0.1/32)' }).click()
    await page.getByRole('button', { name: 'Save the list' }).click()
    const lift = page.getByRole('dialog', { name: 'Allow every address?' })
    await lift.getByRole('button', { name: 'Cancel' }).click()
    await lift.waitFor({ state: 'hidden' })
    expect(await savedAllowlist()).toEqual(['127.0.0.1/32'])
    await page.getByRole('button', { name: 'Save the list' }).click()
    await lift.getByRole('button', { name: 'Allow every address' }).click()
    await page.getByText('Saved. The list is empty: every address is allowed.').waitFor()
    expect(await savedAllowlist()).toEqual([])
  })

  it('IAM-9: a key created with one permission is shown once, works, is gone after a reload and refused once revoked', async () => {
    const page = await ownerPage()
    await page.goto(`${base}/admin/api-keys`)
    await heading(page, 'API keys').waitFor()
    await page.getByText('You have no API keys.').waitFor()

    await page.getByLabel('Name').fill('<img src=x> export script')
    await page.getByLabel('Expires after').selectOption('30')
    await page.getByRole('checkbox', { name: 'users.read', exact: true }).check()
    await page.getByRole('button', { name: 'Create key' }).click()
    const secret = page.getByTestId('shown-once')
    await secret.waitFor()
    const key = ((await secret.textContent()) ?? '').trim()
    expect(key).toMatch(/^rk_/)
    await visited(page, 'admin-api-keys')

    const mine = page.getByRole('region', { name: 'Your API keys' })
    await mine.getByRole('cell', { name: '<img src=x> export script', exact: true }).waitFor()
    await mine.getByRole('cell', { name: 'users.read', exact: true }).waitFor()

    const asKey = (path: string) =>
      fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } })
    expect((await asKey('/api/v1/users')).status).toBe(200)
    // Only the scope it was given: the owner's other permissions are not the key's.
    expect((await asKey('/api/v1/tenant/mfa-policy')).status).toBe(403)

    await page.reload()
    await heading(page, 'API keys').waitFor()
    await mine.getByRole('cell', { name: '<img src=x> export script', exact: true }).waitFor()
    expect(await page.getByTestId('shown-once').count()).toBe(0)
    expect(await page.content()).not.toContain(key)

    await mine.getByRole('button', { name: /^Revoke/ }).click()
    const confirm = page.getByRole('dialog', { name: 'Revoke this key?' })
    await confirm.getByRole('button', { name: 'Revoke key' }).click()
    await confirm.waitFor({ state: 'hidden' })
    await mine.getByText('revoked', { exact: true }).waitFor()
    expect((await asKey('/api/v1/users')).status).toBe(401)
  })

  it('AUTHZ-4: a review is opened, decided keep and revoke, completed, exported and listed as past', async () => {
    const kept = await addUser(t, org, 'member')
    const revoked = await addUser(t, org, 'admin')
    const page = await ownerPage()
    await page.goto(`${base}/admin/access-reviews`)
    await heading(page, 'Access reviews').waitFor()
    await page.getByText('No review is open.').waitFor()
    await page.getByText('No review has been completed yet.').waitFor()

    await page.getByRole('button', { name: 'Open a review now' }).click()
    await heading(page, /^Access review of /).waitFor()
    await page.getByText('0 of 3 decided').waitFor()

    await page.getByRole('button', { name: `Keep ${kept.email}` }).click()
    await page.getByText('1 of 3 decided').waitFor()
    await page.getByRole('button', { name: `Keep ${org.owner.email}` }).click()
    await page.getByText('2 of 3 decided').waitFor()
    // The reviewer cannot revoke themselves; the screen does not offer it.
    expect(await page.getByRole('button', { name: `Revoke ${org.owner.email}` }).count()).toBe(0)

    await page.getByRole('button', { name: `Revoke ${revoked.email}` }).click()
    const confirmRevoke = page.getByRole('dialog', { name: `Revoke ${revoked.email}?` })
    await confirmRevoke.getByRole('button', { name: 'Revoke access' }).click()
    await page.getByText('3 of 3 decided: 2 kept, 1 revoked').waitFor()
    // The revocation took effect at once: the revoked admin's session is refused.
    expect((await call(t, revoked.session, 'GET', '/api/v1/me')).statusCode).toBe(401)
    expect((await call(t, kept.session, 'GET', '/api/v1/me')).statusCode).toBe(200)

    await page.getByRole('button', { name: 'Complete the review' }).click()
    const confirmComplete = page.getByRole('dialog', { name: 'Complete this review?' })
    await confirmComplete.getByRole('button', { name: 'Complete review' }).click()
    await page.getByRole('heading', { level: 2, name: 'Completed' }).waitFor()
    await visited(page, 'admin-access-review')

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export evidence (CSV)' }).click(),
    ])
    const csv = readFileSync(await download.path(), 'utf8')
    expect(csv).toContain(revoked.email)
    expect(csv).toContain('revoke')

    await page.getByRole('link', { name: '← All access reviews' }).click()
    await heading(page, 'Access reviews').waitFor()
    const past = page.getByRole('region', { name: 'Completed access reviews' })
    await past.getByRole('link', { name: /^Review of / }).waitFor()
    await page.getByText('No review is open.').waitFor()
    await visited(page, 'admin-access-reviews')
  })

  it('the security screens fit a 375 px phone screen', async () => {
    const page = await ownerPage({ width: 375, height: 740 })
    for (const [path, title] of [
      ['/admin/network', 'IP allowlist'],
      ['/admin/api-keys', 'API keys'],
      ['/admin/access-reviews', 'Access reviews'],
      ['/admin/security', 'Sign-in security'],
    ] as const) {
      await page.goto(`${base}${path}`)
      await heading(page, title).waitFor()
      await expect.poll(() => page.locator('.loading').count()).toBe(0)
      expect(await overflowsHorizontally(page), path).toBe(false)
    }
    // The review screen, with its wide table scrolling inside its own box.
    await page.goto(`${base}/admin/access-reviews`)
    await page.getByRole('link', { name: /^Review of / }).click()
    await heading(page, /^Access review of /).waitFor()
    expect(await overflowsHorizontally(page)).toBe(false)
    await visited(page, 'admin-access-review-phone', false)
  })

  it('IAM-4: the MFA policy is changed with its consequences explained, and reads back through the API', async () => {
    const page = await ownerPage()
    await page.goto(`${base}/admin/security`)
    await heading(page, 'Sign-in security').waitFor()
    await page.getByText('In force now:').waitFor()
    expect(await page.getByRole('radio', { name: /^Optional/ }).isChecked()).toBe(true)

    await page.getByRole('radio', { name: /^Required for owners and admins/ }).check()
    // The owner has no second factor: the screen says what this policy means for them.
    await page
      .getByText('with this policy you will have to set one up at your next sign-in')
      .waitFor()
    // IAM-6: with a sign-in older than the step-up window, saving asks for the password first.
    await t.database.handle.db
      .updateTable('sessions')
      .set({ authenticated_at: new Date(Date.now() - 30 * 60_000) })
      .where('user_id', '=', org.owner.id)
      .execute()
    await page.getByRole('button', { name: 'Save the policy' }).click()
    const stepUp = page.getByRole('dialog', { name: 'Confirm it is you' })
    await stepUp.getByLabel('Password').fill(org.password)
    await stepUp.getByRole('button', { name: 'Confirm' }).click()
    await page.getByText(/^Policy saved\./).waitFor()
    await visited(page, 'admin-security')

    const res = await call(t, owner.session, 'GET', '/api/v1/tenant/mfa-policy')
    expect(res.json()).toMatchObject({ policy: 'admins' })
    expect((res.json() as { usersWithoutRequiredMfa: number }).usersWithoutRequiredMfa).toBe(1)
    expect(dialogsOpened).toEqual([])
  })
})
