// Browser tests of the console: Debian's Chromium driven by playwright-core, against the real
// server on a random port with the built console (docs/console.md). Every page gets checked for
// CSP violations (SEC-2), and the main ones with axe-core.
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { expect } from 'vitest'
import { ensureConsoleBuilt } from '../../web/build.ts'
import { postgresUrl } from '../support/database.ts'

const CHROMIUM = process.env.RAMPART_TEST_CHROMIUM || '/usr/bin/chromium'
export const SCREENSHOTS = join(process.cwd(), 'test-artifacts', 'screenshots')

/**
 * Null when the browser tests can run; otherwise why not, for `describe.skipIf`. A missing
 * Chromium throws instead under RAMPART_REQUIRE_CHROMIUM=1 (CI), so the file fails.
 */
export function browserSkipReason(): string | null {
  // The console talks to the API the same way on either database, and the API has its own
  // suites on both: the browser tests run once per CI run, on PGlite.
  if (postgresUrl) return 'browser tests run on PGlite only (they do not depend on the database)'
  if (!existsSync(CHROMIUM)) {
    const reason = `Chromium not found at ${CHROMIUM} (apt-get install chromium)`
    if (process.env.RAMPART_REQUIRE_CHROMIUM === '1') {
      throw new Error(`RAMPART_REQUIRE_CHROMIUM=1 but ${reason}`)
    }
    return reason
  }
  return null
}

export async function launchBrowser(): Promise<Browser> {
  await ensureConsoleBuilt()
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-gpu',
    ],
  })
}

/**
 * The browser globals that the functions run in the page touch, typed here because the root
 * tsconfig (server code) has no DOM library.
 */
export interface PageGlobals {
  document: {
    addEventListener(
      type: 'securitypolicyviolation',
      listener: (event: { violatedDirective: string; blockedURI: string }) => void,
    ): void
    documentElement: { scrollWidth: number }
  }
  innerWidth: number
  __cspViolations?: string[]
  __xss?: unknown
  axe?: { run(): Promise<{ violations: unknown[] }> }
}

/** A fresh browser profile that records CSP violations and dialogs (an XSS would raise one). */
export async function newContext(
  browser: Browser,
  viewport = { width: 1280, height: 860 },
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, acceptDownloads: true })
  // A step that hangs fails with its own message well before the test's timeout.
  context.setDefaultTimeout(8_000)
  await context.addInitScript(() => {
    const page = globalThis as unknown as PageGlobals
    const seen: string[] = []
    Object.defineProperty(page, '__cspViolations', { value: seen })
    page.document.addEventListener('securitypolicyviolation', (event) => {
      seen.push(`${event.violatedDirective} ${event.blockedURI}`)
    })
  })
  context.on('page', (page) => {
    page.on('dialog', (dialog) => {
      dialogsOpened.push(dialog.message())
      void dialog.dismiss()
    })
  })
  return context
}

/** A page in a fresh browser profile (no cookies, nothing stored). */
export async function freshPage(
  browser: Browser,
  viewport?: { width: number; height: number },
): Promise<Page> {
  return (await newContext(browser, viewport)).newPage()
}

interface Served {
  app: { listen(options: { host: string; port: number }): Promise<string> }
}

/**
 * The server a browser test drives and Chromium, started side by side: the app from `start`,
 * listening on 127.0.0.1 (`port`, or any free one), and its base URL.
 */
export async function startConsole<T extends Served>(
  start: () => Promise<T>,
  port = 0,
): Promise<{ t: T; browser: Browser; base: string }> {
  const [t, browser] = await Promise.all([start(), launchBrowser()])
  const base = await t.app.listen({ host: '127.0.0.1', port })
  return { t, browser, base }
}

/** Every alert, confirm or prompt any page opened: the console itself never opens one. */
export const dialogsOpened: string[] = []

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).__cspViolations ?? [])
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const path = join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
)

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: { target: unknown[] }[]
}

/**
 * axe-core's serious and critical findings on the page. The CSP refuses inline scripts, so axe
 * is not injected as a <script>: Playwright evaluates its source through the DevTools protocol,
 * which page CSP does not govern.
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const { axe } = globalThis as unknown as PageGlobals
    if (!axe) throw new Error('axe-core did not load')
    return (await axe.run()).violations
  })
  return (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`,
    )
}

/** True when the page is wider than the viewport: content that does not fit a phone. */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const { document, innerWidth } = globalThis as unknown as PageGlobals
    return document.documentElement.scrollWidth > innerWidth + 1
  })
}

/** Every visited page: no CSP violation, a screenshot, and (main pages) no serious axe finding. */
export async function visited(page: Page, name: string, axe = true): Promise<void> {
  expect(await cspViolations(page)).toEqual([])
  await screenshot(page, name)
  if (axe) expect(await seriousAxeViolations(page)).toEqual([])
}

export const heading = (page: Page, name: string | RegExp) =>
  page.getByRole('heading', { level: 1, name })

/** Signs in through the console's form (no second factor) and waits for the home page. */
export async function signInThroughForm(
  page: Page,
  base: string,
  who: { slug: string; email: string; password: string },
): Promise<void> {
  await page.goto(`${base}/sign-in`)
  await page.getByLabel('Organisation').fill(who.slug)
  await page.getByLabel('E-mail address').fill(who.email)
  await page.getByLabel('Password', { exact: true }).fill(who.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await heading(page, /^Welcome to /).waitFor()
}
