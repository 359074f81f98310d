// DATA-1, AUTHZ-2, AUTHZ-3 in a real browser: the Dashboards screens draw widgets as charts
// (Recharts, SVG) under the strict CSP (SEC-2) with a text alternative holding the numbers, never
// show a suppressed group as a figure, share a dashboard with a group, and make a kiosk link that
// a browser without any session opens until it is revoked. A member of the shared group sees the
// dashboard but is offered no editing. Screenshots go to test-artifacts/screenshots/dashboard*.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMember, createGroup } from '../../src/modules/access/groups.test-support.ts'
import { addRecords, newSalesCollection } from '../../src/modules/data/dashboards.test-support.ts'
import { addUser, type TestUser } from '../../src/modules/identity/members.test-support.ts'
import {
  call,
  createTestApp,
  expectStatus,
  type SignedIn,
  type SignedUp,
  signInBearer,
  signUp,
  type TestApp,
} from '../support/app.ts'
import {
  browserSkipReason,
  cspViolations,
  dialogsOpened,
  freshPage,
  heading,
  overflowsHorizontally,
  screenshot,
  seriousAxeViolations,
  signInThroughForm,
  startConsole,
  visited,
} from './browser.ts'

const skipReason = browserSkipReason()
if (skipReason) console.warn(`dashboards browser tests skipped: ${skipReason}`)

/**
 * Region sizes: north and south are shown; east and west are below the threshold of 5 and
 * hidden. Together they hold 5 records, so no secondary suppression takes south away too.
 */
const REGIONS = { north: 7, south: 5, east: 2, west: 3 }
/** The same 17 records by month of sale: every month large enough to show. */
const MONTHS = ['2026-01-10', '2026-02-10', '2026-03-10']

describe.skipIf(skipReason !== null)('the Dashboards screens in Chromium', () => {
  let t: TestApp
  let browser: Browser
  let base: string
  let org: SignedUp
  let owner: SignedIn
  let member: TestUser

  beforeAll(async () => {
    ;({ t, browser, base } = await startConsole(() =>
      createTestApp({ env: { RAMPART_PLAIN_HTTP: 'true' } }),
    ))
    org = await signUp(t.app)
    owner = await signInBearer(t.app, org)
    member = await addUser(t, org, 'member')
    const group = await createGroup(t, owner, 'Sales team')
    await addMember(t, owner, group, member.id)
    const sales = await newSalesCollection(t, owner, 'Sales')
    const values = Object.entries(REGIONS).flatMap(([region, n]) =>
      Array.from({ length: n }, () => ({ region })),
    )
    await addRecords(
      t,
      owner,
      sales.id,
      // 6, 6 and 5 records in January, February and March.
      values.map((v, i) => ({
        ...v,
        amount: 10 * (i + 1),
        sold_on: MONTHS[Math.floor(i / 6)] as string,
      })),
    )
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  const newPage = (viewport?: { width: number; height: number }) => freshPage(browser, viewport)

  /** The accessible summary of the chart of the widget titled `title`. */
  const chartOf = (page: Page, title: string) =>
    page.getByRole('region', { name: title }).locator('.dash-chart[role="img"]')

  it('DATA-1, AUTHZ-2, AUTHZ-3: charts, suppression, group sharing, a kiosk link opened without a session and revoked; a viewer of the group gets no editing', async () => {
    const page = await newPage()
    await signInThroughForm(page, base, {
      slug: org.tenant.slug,
      email: org.owner.email,
      password: org.password,
    })

    // The list, empty, then a new dashboard through the form.
    await page.getByRole('navigation').getByRole('link', { name: 'Dashboards' }).click()
    await heading(page, 'Dashboards').waitFor()
    await page.getByText('No dashboards yet').waitFor()
    await page.getByLabel('Name', { exact: true }).fill('Sales overview')
    await page.getByRole('button', { name: 'Create dashboard' }).click()
    await heading(page, 'Sales overview').waitFor()
    await page.getByText('This dashboard has no widgets yet').waitFor()

    // DATA-1: two widgets through the editor: a count by region, a count by month of sale.
    await page.getByRole('button', { name: 'Edit widgets' }).click()
    const editor = page.getByRole('region', { name: 'Edit widgets' })
    await editor.getByLabel('Widget title').fill('Sales per region')
    await editor.getByLabel('Collection').selectOption({ label: 'Sales' })
    await editor.getByLabel('Aggregate').selectOption('count')
    await editor.getByLabel('Group by field').selectOption({ label: 'Region' })
    // Personal and sensitive fields are never offered for grouping (KMS-2).
    expect(await editor.getByLabel('Group by field').locator('option').allTextContents()).toEqual([
      'No grouping',
      'Region',
      'Product',
      'Paid',
      'Sold on',
    ])
    await editor.getByRole('button', { name: 'Add widget' }).click()
    await editor.getByLabel('Widget title').fill('Sales by month')
    await editor.getByLabel('Group by field').selectOption('')
    await editor.getByLabel('Group by period').selectOption('month')
    await editor.getByLabel('Date used for the period and range').selectOption({ label: 'Sold on' })
    await editor.getByRole('button', { name: 'Add widget' }).click()
    await editor.getByText('Count of records by month').waitFor()
    await visited(page, 'dashboard-edit')
    await editor.getByRole('button', { name: 'Save widgets' }).click()
    await editor.getByText('Saved.').waitFor()

    // The charts: SVG drawn, and their text alternatives carry the right numbers.
    const byRegion = chartOf(page, 'Sales per region')
    const byMonth = chartOf(page, 'Sales by month')
    await byRegion.locator('svg').first().waitFor()
    await byMonth.locator('svg').first().waitFor()
    const regionSummary = (await byRegion.getAttribute('aria-label')) ?? ''
    expect(regionSummary).toContain('north: 7')
    expect(regionSummary).toContain('south: 5')
    expect(regionSummary).toContain('2 groups hidden (fewer than 5 records)')
    // The suppressed groups are never named or given a figure.
    expect(regionSummary).not.toMatch(/east|west/)
    const monthSummary = (await byMonth.getAttribute('aria-label')) ?? ''
    for (const figure of ['2026-01-01: 6', '2026-02-01: 6', '2026-03-01: 5']) {
      expect(monthSummary).toContain(figure)
    }
    const regionCard = page.getByRole('region', { name: 'Sales per region' })
    await regionCard.getByText('2 groups hidden (fewer than 5 records)').first().waitFor()
    const hiddenTable = regionCard.locator('table')
    expect(await hiddenTable.locator('tbody tr').allInnerTexts()).toEqual([
      'north\t7',
      'south\t5',
      '2 groups hidden (fewer than 5 records)',
    ])
    expect(await regionCard.innerText()).not.toMatch(/\beast\b|\bwest\b/)
    await visited(page, 'dashboard')

    // DATA-1: a change saved elsewhere meanwhile is not overwritten: the stale save is refused
    // with the conflict message, and reloading starts the draft again from the saved widgets.
    const dashboardId = new URL(page.url()).pathname.split('/').pop() as string
    const current = await call(t, owner, 'GET', `/api/v1/dashboards/${dashboardId}`)
    const { name, widgets } = current.json()
    // An unchanged save keeps the version: someone else changes the refresh interval.
    expectStatus(
      await call(t, owner, 'PUT', `/api/v1/dashboards/${dashboardId}`, {
        name,
        widgets,
        refreshSeconds: 600,
      }),
      200,
    )
    await editor.getByRole('button', { name: 'Remove widget 2, Sales by month' }).click()
    await editor.getByRole('button', { name: 'Save widgets' }).click()
    await editor.getByText('Someone else changed this dashboard').waitFor()
    await editor.getByRole('button', { name: 'Reload the dashboard' }).click()
    await editor.getByRole('button', { name: 'Remove widget 2, Sales by month' }).waitFor()
    expect(await editor.getByText('Someone else changed this dashboard').count()).toBe(0)
    await page.getByRole('button', { name: 'Close the editor' }).click()

    // AUTHZ-2: shared with the group for viewing.
    const sharing = page.getByRole('region', { name: 'Shared with groups' })
    await sharing.getByText('Not shared with any group').waitFor()
    await sharing.getByLabel('Group', { exact: true }).selectOption({ label: 'Sales team' })
    await sharing.getByLabel('Permission').selectOption('view')
    await sharing.getByRole('button', { name: 'Share' }).click()
    await sharing.getByRole('cell', { name: 'Sales team', exact: true }).waitFor()
    await sharing.getByRole('cell', { name: 'view', exact: true }).waitFor()
    await visited(page, 'dashboard-share')

    // AUTHZ-3: a kiosk link, its address shown once.
    const kiosk = page.getByRole('region', { name: 'Kiosk links' })
    await kiosk.getByText('No kiosk link shows this dashboard').waitFor()
    await kiosk.getByLabel('Link name').fill('Lobby screen')
    await kiosk.getByRole('button', { name: 'Create kiosk link' }).click()
    const shown = kiosk.getByTestId('shown-once')
    await shown.waitFor()
    const url = new URL((await shown.innerText()).trim())
    expect(url.pathname).toMatch(/^\/kiosk\/kl_[A-Za-z0-9_-]{43}$/)
    await kiosk.getByRole('cell', { name: /^Lobby screen/ }).waitFor()
    await kiosk.getByText('active', { exact: true }).waitFor()
    await visited(page, 'kiosk-links')
    // Once copied, the address leaves the page: only the create answer ever held it.
    await kiosk.getByRole('button', { name: 'I have copied it' }).click()
    expect(await kiosk.getByTestId('shown-once').count()).toBe(0)
    expect(await page.content()).not.toContain(url.pathname)

    // Opened in a fresh browser profile: no cookie, no session, the figures all the same.
    const screen = await newPage()
    const opened = await screen.goto(`${base}${url.pathname}`)
    expect(opened?.status()).toBe(200)
    await heading(screen, 'Lobby screen').waitFor()
    await screen.getByRole('heading', { name: 'Sales per region' }).waitFor()
    const kioskText = await screen.locator('main').innerText()
    expect(kioskText).toMatch(/north\s+7/)
    expect(kioskText).toMatch(/south\s+5/)
    expect(kioskText).toContain('2 groups hidden (fewer than 5 records)')
    expect(kioskText).not.toMatch(/\beast\b|\bwest\b/)
    expect(kioskText).toMatch(/2026-03-01\s+5/)
    expect(await cspViolations(screen)).toEqual([])
    await screenshot(screen, 'kiosk-page')
    // The page reloads itself by <meta http-equiv="refresh">, which axe's meta-refresh rule
    // (WCAG 2.2.1) always reports: a wall screen has to refresh, and no one operates it. Every
    // other serious finding fails the test.
    expect(
      (await seriousAxeViolations(screen)).filter((v) => !v.startsWith('meta-refresh ')),
    ).toEqual([])

    await screen.setViewportSize({ width: 375, height: 740 })
    expect(await overflowsHorizontally(screen)).toBe(false)
    await screenshot(screen, 'kiosk-page-phone')

    // Revoked: the unattended screen's next reload is refused.
    await kiosk.getByRole('button', { name: 'Revoke Lobby screen' }).click()
    const confirm = page.getByRole('dialog', { name: 'Revoke this kiosk link?' })
    await confirm.getByRole('button', { name: 'Revoke link' }).click()
    await kiosk.getByText('revoked', { exact: true }).waitFor()
    const refused = await screen.reload()
    expect(refused?.status()).toBe(404)
    await heading(screen, 'Kiosk link unavailable').waitFor()
    expect(await screen.locator('main').innerText()).not.toContain('north')
    await visited(screen, 'kiosk-page-revoked')

    // The list counts the widgets.
    await page.getByRole('link', { name: 'All dashboards' }).click()
    await heading(page, 'Dashboards').waitFor()
    const row = page.getByRole('row', { name: /Sales overview/ })
    await row.waitFor()
    expect(await row.getByRole('cell').nth(1).innerText()).toBe('2')
    await visited(page, 'dashboards')

    // At phone width the dashboard, charts included, fits without sideways scrolling.
    await page.setViewportSize({ width: 375, height: 740 })
    await page.getByRole('link', { name: 'Sales overview' }).click()
    await chartOf(page, 'Sales per region').locator('svg').first().waitFor()
    await chartOf(page, 'Sales by month').locator('svg').first().waitFor()
    expect(await overflowsHorizontally(page)).toBe(false)
    await visited(page, 'dashboard-phone', false)

    // AUTHZ-2: a member of the group (view grant) sees the dashboard and its charts, and is
    // offered no editing, sharing, kiosk links or deletion.
    const memberPage = await newPage()
    await signInThroughForm(memberPage, base, {
      slug: org.tenant.slug,
      email: member.email,
      password: org.password,
    })
    await memberPage.getByRole('navigation').getByRole('link', { name: 'Dashboards' }).click()
    await heading(memberPage, 'Dashboards').waitFor()
    await memberPage.getByRole('heading', { name: 'Dashboards shared with you' }).waitFor()
    const asked = memberPage.waitForResponse((r) => r.url().endsWith('/access'))
    await memberPage.getByRole('link', { name: 'Sales overview' }).click()
    await heading(memberPage, 'Sales overview').waitFor()
    expect(await (await asked).json()).toEqual({ view: true, edit: false })
    const memberChart = chartOf(memberPage, 'Sales per region')
    await memberChart.locator('svg').first().waitFor()
    expect(await memberChart.getAttribute('aria-label')).toContain('north: 7')
    for (const name of ['Edit widgets', 'Delete dashboard', 'Create kiosk link', 'Share']) {
      expect(await memberPage.getByRole('button', { name }).count()).toBe(0)
    }
    expect(await memberPage.getByRole('region', { name: 'Kiosk links' }).count()).toBe(0)
    await visited(memberPage, 'dashboard-member')

    expect(dialogsOpened).toEqual([])
  })
})
