// The console survives what a long-open tab meets: a script chunk that is gone because the
// console was rebuilt (only the current build's files are served) shows a message with a reload
// inside the frame, instead of a blank page; the navigation keeps working.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  addRecords,
  countWidget,
  newDashboard,
  newSalesCollection,
  times,
} from '../../src/modules/data/dashboards.test-support.ts'
import { createTestApp, signInBearer, signUp, type TestApp } from '../support/app.ts'
import {
  browserSkipReason,
  freshPage,
  heading,
  newContext,
  signInThroughForm,
  startConsole,
  visited,
} from './browser.ts'

const skipReason = browserSkipReason()

describe.skipIf(skipReason !== null)('the console when a screen fails', () => {
  let t: TestApp
  let browser: Browser
  let base: string

  beforeAll(async () => {
    ;({ t, browser, base } = await startConsole(() =>
      createTestApp({ env: { RAMPART_PLAIN_HTTP: 'true' } }),
    ))
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('a chart script that is no longer served gives a reload message in the frame, not a blank page', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const sales = await newSalesCollection(t, owner, 'Sales')
    await addRecords(
      t,
      owner,
      sales.id,
      times(6, { region: 'north', amount: 1, sold_on: '2026-01-10' }),
    )
    const dashboard = await newDashboard(t, owner, [
      countWidget(sales.id, { title: 'Per region', groupBy: 'region' }),
    ])

    const page = await freshPage(browser)
    // As after a rebuild: the old build's chart chunk answers 404.
    await page.route('**/assets/charts-*.js', (route) => route.fulfill({ status: 404, body: '' }))
    await signInThroughForm(page, base, {
      slug: org.tenant.slug,
      email: org.owner.email,
      password: org.password,
    })
    await page.goto(`${base}/dashboards/${dashboard.id}`)
    const alert = page.getByRole('alert').filter({ hasText: 'This screen could not be shown' })
    await alert.waitFor()
    expect(await alert.getByRole('button', { name: 'Reload the page' }).isVisible()).toBe(true)
    // The frame is still there and another screen opens.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'My account' })
      .click()
    await heading(page, 'My account').waitFor()
    await visited(page, 'screen-failed-then-account', false)

    await page.unroute('**/assets/charts-*.js')
    await page.goto(`${base}/dashboards/${dashboard.id}`)
    await page.locator('.recharts-surface').first().waitFor()
  })

  it('a server that does not answer at start is not mistaken for a signed-out user', async () => {
    const org = await signUp(t.app)
    const page = await freshPage(browser)
    await signInThroughForm(page, base, {
      slug: org.tenant.slug,
      email: org.owner.email,
      password: org.password,
    })
    await page.route('**/api/v1/me', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'SERVICE_UNAVAILABLE', message: 'Starting' } }),
      }),
    )
    await page.goto(`${base}/account`)
    await heading(page, 'Rampart is not answering').waitFor()
    expect(await page.getByRole('alert').textContent()).toMatch(/briefly unavailable/)
    await visited(page, 'unavailable')
    // Once it answers, the same session goes on: no new sign-in needed.
    await page.unroute('**/api/v1/me')
    await page.getByRole('button', { name: 'Try again' }).click()
    await heading(page, 'My account').waitFor()
  })

  it("SEC-2: a write after another tab signed in again takes the new session's CSRF token and goes through", async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const context = await newContext(browser)
    const first = await context.newPage()
    const who = { slug: org.tenant.slug, email: org.owner.email, password: org.password }
    await signInThroughForm(first, base, who)
    await first.goto(`${base}/admin/groups`)
    await heading(first, 'Groups').waitFor()
    // A second tab signs in again (it is signed in already, so not through the form): the cookie
    // now names a new session, whose CSRF token differs.
    const second = await context.newPage()
    await second.goto(`${base}/`)
    const status = await second.evaluate(
      async (body) => {
        const answer = await fetch('/api/v1/sessions', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...body, mode: 'cookie' }),
        })
        return answer.status
      },
      { tenant: who.slug, email: who.email, password: who.password },
    )
    expect(status).toBe(201)

    await first.getByLabel('Group name').fill('Made in the first tab')
    await first.getByRole('button', { name: 'Create group' }).click()
    await first.getByRole('cell', { name: 'Made in the first tab', exact: true }).waitFor()
    const groups = await t.app.inject({
      method: 'GET',
      url: '/api/v1/groups',
      headers: owner.authorization,
    })
    expect(groups.json().groups.map((g: { name: string }) => g.name)).toContain(
      'Made in the first tab',
    )
  })
})
