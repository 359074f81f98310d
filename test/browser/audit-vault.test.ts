// The Audit log and Credentials screens in Chromium against the real server: the vault is
// write-only from the browser too (KMS-3), the audit log filters, pages and exports (LOG-4), and
// entries' inclusion proofs are checked in the browser itself, which a tampered proof shows (LOG-2).
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadOrCreateSigner } from '../../src/modules/audit/checkpoint.ts'
import { checkpointPending, directoryWitness } from '../../src/modules/audit/checkpointer.ts'
import { checkSecretFields } from '../../src/modules/vault/vault.kinds.ts'
import { KINDS } from '../../web/src/pages/vault/kinds.ts'
import {
  createTestApp,
  type SignedIn,
  type SignedUp,
  signInBearer,
  signUp,
  type TestApp,
} from '../support/app.ts'
import {
  browserSkipReason,
  freshPage,
  heading,
  overflowsHorizontally,
  signInThroughForm,
  startConsole,
  visited,
} from './browser.ts'

describe('the console’s credential kinds', () => {
  it('KMS-3: match the fields the API checks for each kind', () => {
    for (const info of KINDS) {
      if (!info.fields) {
        expect(info.kind).toBe('generic')
        continue
      }
      const secret = Object.fromEntries(info.fields.map((f) => [f.name, 'x']))
      expect(checkSecretFields(info.kind, secret)).toEqual(info.fields.map((f) => f.name))
    }
  })
})

const skipReason = browserSkipReason()
if (skipReason) console.warn(`audit and vault browser tests skipped: ${skipReason}`)

describe.skipIf(skipReason !== null)('the audit log and the vault in Chromium', () => {
  let t: TestApp
  let browser: Browser
  let base: string
  let org: SignedUp
  let owner: SignedIn
  /** The id of the credential the vault screen stored, from the API's answer. */
  let storedId: string

  const checkpointNow = () =>
    checkpointPending(
      t.database.handle,
      loadOrCreateSigner(t.config.audit.signingKeyFile),
      directoryWitness(t.config.audit.witnessDir),
    )

  beforeAll(async () => {
    ;({ t, browser, base } = await startConsole(() =>
      createTestApp({ env: { RAMPART_PLAIN_HTTP: 'true' } }),
    ))
    org = await signUp(t.app)
    owner = await signInBearer(t.app, org)
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  async function signedInPage(viewport?: { width: number; height: number }): Promise<Page> {
    const page = await freshPage(browser, viewport)
    await signInThroughForm(page, base, {
      ...org.owner,
      slug: org.tenant.slug,
      password: org.password,
    })
    return page
  }

  it('KMS-3: credentials are created, listed, given a new secret and deleted; no secret ever comes back', async () => {
    const page = await signedInPage()
    const bodies: Promise<string>[] = []
    const secretReads: string[] = []
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/api/v1/credentials')) {
        bodies.push(response.text().catch(() => ''))
      }
    })
    page.on('request', (request) => {
      if (request.method() === 'GET' && /\/secret$/.test(new URL(request.url()).pathname)) {
        secretReads.push(request.url())
      }
    })
    const created = page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/credentials'),
    )

    await page.getByRole('navigation').getByRole('link', { name: 'Credentials' }).click()
    await heading(page, 'Credentials').waitFor()
    await page.getByText('No credentials yet.').waitFor()
    await visited(page, 'vault-empty')

    const firstSecret = 'hunter2-FIRST-secret-value-81'
    await page.getByRole('button', { name: 'Add a credential' }).click()
    const create = page.getByRole('dialog', { name: 'Add a credential' })
    await create.getByLabel('Name').fill('Payroll SFTP')
    await create.getByLabel('Kind').selectOption('basic')
    await create.getByLabel('User name').fill('payroll-bot')
    const password = create.getByLabel('Password', { exact: true })
    await password.fill(firstSecret)
    expect(await password.getAttribute('type')).toBe('password')
    expect(await password.getAttribute('autocomplete')).toBe('off')
    await visited(page, 'vault-create')
    await create.getByRole('button', { name: 'Store credential' }).click()
    await page.getByText('Payroll SFTP is stored.').waitFor()
    storedId = ((await (await created).json()) as { id: string }).id
    const row = page.getByRole('row', { name: /Payroll SFTP/ })
    await row.getByText('username, password').waitFor()
    expect(await row.getByRole('cell').nth(3).textContent()).toBe('1')
    await visited(page, 'vault')

    const nextSecret = 'hunter3-SECOND-secret-value-92'
    await row.getByRole('button', { name: 'Replace secret of Payroll SFTP' }).click()
    const replace = page.getByRole('dialog', { name: 'Replace the secret of Payroll SFTP' })
    await replace.getByLabel('User name').fill('payroll-bot')
    await replace.getByLabel('Password', { exact: true }).fill(nextSecret)
    await replace.getByRole('button', { name: 'Replace secret' }).click()
    await page.getByText('The secret of Payroll SFTP was replaced (version 2).').waitFor()
    expect(await row.getByRole('cell').nth(3).textContent()).toBe('2')

    // A generic credential with fields of its own, then deleted through the confirmation.
    const genericSecret = 'generic-THIRD-secret-value-03'
    await page.getByRole('button', { name: 'Add a credential' }).click()
    await create.getByLabel('Name').fill('Webhook signing')
    await create.getByLabel('Kind').selectOption('generic')
    await create.getByLabel('Field 1 name').fill('signingKey')
    await create.getByLabel('Field 1 value').fill(genericSecret)
    await create.getByRole('button', { name: 'Store credential' }).click()
    await page.getByText('Webhook signing is stored.').waitFor()
    const generic = page.getByRole('row', { name: /Webhook signing/ })
    await generic.getByRole('button', { name: 'Delete' }).click()
    const confirm = page.getByRole('dialog', { name: 'Delete Webhook signing?' })
    await confirm.getByRole('button', { name: 'Delete credential' }).click()
    await page.getByText('Webhook signing was deleted.').waitFor()
    await expect(generic.count()).resolves.toBe(0)
    await expect(page.getByRole('row', { name: /Payroll SFTP/ }).count()).resolves.toBe(1)

    // Write-only (KMS-3): no answer the page received, no text and no input holds a secret.
    const received = (await Promise.all(bodies)).join('\n')
    expect(received).toContain('Payroll SFTP')
    const inputs = await page
      .locator('input')
      .evaluateAll((all) => all.map((input) => (input as unknown as { value: string }).value))
    for (const secret of [firstSecret, nextSecret, genericSecret]) {
      expect(received).not.toContain(secret)
      expect(await page.content()).not.toContain(secret)
      expect(inputs).not.toContain(secret)
    }
    expect(secretReads).toEqual([])

    await page.setViewportSize({ width: 375, height: 740 })
    await page.reload()
    await heading(page, 'Credentials').waitFor()
    await page.getByRole('row', { name: /Payroll SFTP/ }).waitFor()
    expect(await overflowsHorizontally(page)).toBe(false)
    await visited(page, 'vault-phone')
  })

  it('LOG-4, LOG-2: the audit log filters, pages and exports, and an entry’s proof is checked in the browser', async () => {
    // Enough credential.create events to page through, through the API.
    for (let i = 0; i < 12; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/credentials',
        headers: owner.authorization,
        payload: { name: `Bulk ${i}`, kind: 'api_key', secret: { key: `bulk-key-${i}` } },
      })
      expect(res.statusCode).toBe(201)
    }
    const listed = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit/events?action=credential.create&limit=500',
      headers: owner.authorization,
    })
    const creations = (listed.json() as { events: unknown[] }).events.length
    expect(creations).toBeGreaterThan(10)
    await checkpointNow()
    const page = await signedInPage()
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click()
    await heading(page, 'Audit log').waitFor()
    await page.getByText('The signature is valid for the published key').waitFor()
    await page.getByRole('table', { name: /Audit events/ }).waitFor()

    // Filter by action, ten a page: the first page, then the older ones.
    await page.getByLabel('Action').fill('credential.create')
    await page.getByLabel('Events per page').selectOption('10')
    await page.getByRole('button', { name: 'Apply filters' }).click()
    const rows = page.getByRole('table', { name: /Audit events/ }).locator('tbody tr')
    await expect.poll(() => rows.count()).toBe(10)
    await page.getByRole('button', { name: 'Show older events' }).click()
    await expect.poll(() => rows.count()).toBe(creations)
    const actions = await rows.locator('td:nth-child(4) code').allTextContents()
    expect(new Set(actions)).toEqual(new Set(['credential.create']))
    await expect(page.getByRole('button', { name: 'Show older events' }).count()).resolves.toBe(0)

    // The one the vault screen stored, found by its id.
    await page.getByLabel('Target id').fill(storedId)
    await page.getByRole('button', { name: 'Apply filters' }).click()
    await expect.poll(() => rows.count()).toBe(1)
    await rows.getByText(storedId).waitFor()
    await visited(page, 'audit')

    // The export carries the same filters.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export as JSON lines' }).click(),
    ])
    const lines = readFileSync(await download.path(), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { action: string; target?: { id?: string } })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ action: 'credential.create', target: { id: storedId } })

    // Verified here: the success names the entry, the tree size and the signed root.
    const index = Number(await rows.locator('td').first().textContent())
    await checkpointNow()
    await page.getByRole('button', { name: `Verify entry ${index}` }).click()
    const verified = page.getByText(`Entry ${index} is included in the signed log of size`)
    await verified.waitFor()
    expect(await verified.textContent()).toMatch(/root [0-9a-f]{64}, signed at /)
    await visited(page, 'audit-verified')

    // A proof with one hash changed on its way fails: the check really runs in the browser.
    await page.route('**/api/v1/audit/events/*/proof', async (route) => {
      const response = await route.fetch()
      const body = (await response.json()) as { proof: string[] }
      expect(body.proof.length).toBeGreaterThan(0)
      const first = body.proof[0] as string
      body.proof[0] = `${first[0] === '0' ? '1' : '0'}${first.slice(1)}`
      await route.fulfill({ response, json: body })
    })
    await page.getByRole('button', { name: `Verify entry ${index}` }).click()
    await page.getByText(`Verification failed: entry ${index} could not be proved`).waitFor()
    await expect(verified.count()).resolves.toBe(0)
    await page.unroute('**/api/v1/audit/events/*/proof')

    // LOG-4: a list answer that shows another actor beside a genuine proof is caught too: every
    // field the row shows must be the proven event's.
    await page.route('**/api/v1/audit/events?*', async (route) => {
      const response = await route.fetch()
      const body = (await response.json()) as { events: { actor: { id?: string } }[] }
      for (const event of body.events) event.actor = { ...event.actor, id: randomUUID() }
      await route.fulfill({ response, json: body })
    })
    // A new page size is a new list request, answered through the route above.
    await page.getByLabel('Events per page').selectOption('25')
    await page.getByRole('button', { name: 'Apply filters' }).click()
    await page.getByRole('button', { name: `Verify entry ${index}` }).click()
    await page.getByText(`Verification failed: entry ${index}`).waitFor()
    expect(await page.getByText('the proof is of another event than the one listed').count()).toBe(
      1,
    )
    await page.unroute('**/api/v1/audit/events?*')

    await page.setViewportSize({ width: 375, height: 740 })
    await page.reload()
    await heading(page, 'Audit log').waitFor()
    await page.getByRole('table', { name: /Audit events/ }).waitFor()
    expect(await overflowsHorizontally(page)).toBe(false)
    await visited(page, 'audit-phone')
  })
})
