// The console's Data screens in Chromium against the real server (docs/console-data.md): a
// collection defined through the console (DATA-1, KMS-2 classifications, a data subject), a CSV
// import with its per-row report, filters, editing, deletion and restore (DATA-4), text from
// users never run as markup (SEC-2), and the screens at phone width.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMember, createGroup } from '../../src/modules/access/groups.test-support.ts'
import {
  grantCollection,
  newCollection,
  newRecord,
} from '../../src/modules/data/data.test-support.ts'
import { addUser } from '../../src/modules/identity/members.test-support.ts'
import { createTestApp, signInBearer, signUp, type TestApp } from '../support/app.ts'
import {
  browserSkipReason,
  dialogsOpened,
  freshPage,
  heading,
  overflowsHorizontally,
  type PageGlobals,
  signInThroughForm,
  startConsole,
  visited,
} from './browser.ts'

const skipReason = browserSkipReason()
if (skipReason) console.warn(`data browser tests skipped: ${skipReason}`)

const XSS = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>"'&`

/** One row is bad: `lots` is no number, so the report names row 2 and the field `visits`. */
const CSV = [
  'city,visits,email',
  'Paris,3,ann@example.com',
  'Lyon,lots,bob@example.com',
  'Nice,5,eve@example.com',
  '',
].join('\n')

describe.skipIf(skipReason !== null)('the Data screens in Chromium', () => {
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

  async function expectNothingRan(page: Page): Promise<void> {
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__xss)).toBe(undefined)
    expect(await page.locator('img[src="x"], script:not([src]), [onerror]').count()).toBe(0)
    expect(dialogsOpened).toEqual([])
  }

  async function fillField(
    page: Page,
    n: number,
    field: { label: string; type: string; classification: string },
  ): Promise<void> {
    const group = page.getByRole('group', { name: `Field ${n}` })
    await group.getByLabel('Label', { exact: true }).fill(field.label)
    await group.getByLabel('Type', { exact: true }).selectOption(field.type)
    await group.getByLabel('Classification', { exact: true }).selectOption(field.classification)
  }

  const rows = (page: Page) =>
    page.getByRole('region', { name: /^Records of / }).locator('tbody tr')

  it('DATA-1, DATA-4, SEC-2: define, import, filter, edit, delete and restore through the console', async () => {
    const org = await signUp(t.app)
    const page = await freshPage(browser)
    await signInThroughForm(page, base, {
      slug: org.tenant.slug,
      email: org.owner.email,
      password: org.password,
    })

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data' }).click()
    await heading(page, 'Data').waitFor()
    await page.getByText('No collections yet').waitFor()

    // DATA-1: a public text, an internal number, a personal e-mail as the data subject (KMS-2).
    await page.getByLabel('Collection name').fill(XSS)
    await fillField(page, 1, { label: 'City', type: 'text', classification: 'public' })
    await page.getByRole('button', { name: 'Add another field' }).click()
    await fillField(page, 2, { label: 'Visits', type: 'number', classification: 'internal' })
    await page.getByRole('button', { name: 'Add another field' }).click()
    await fillField(page, 3, { label: 'Email', type: 'email', classification: 'personal' })
    expect(
      await page
        .getByRole('group', { name: 'Field 3' })
        .getByLabel('Key', { exact: true })
        .inputValue(),
    ).toBe('email')
    await page.getByLabel('Data-subject field').selectOption('email')
    await visited(page, 'data-collections')
    await page.getByRole('button', { name: 'Create collection' }).click()

    await heading(page, XSS).waitFor()
    const fields = page.getByRole('region', { name: 'Fields' })
    await fields.getByText('personal, encrypted').waitFor()
    await fields.getByText('data subject').waitFor()
    await page.getByRole('region', { name: 'Schema versions' }).waitFor()
    await visited(page, 'data-collection')
    await expectNothingRan(page)

    // The API refuses a kept field's classification change; its message is shown.
    await page.getByRole('button', { name: 'Change City' }).click()
    const change = page.getByRole('dialog', { name: 'Change the field City' })
    await change.getByLabel('Classification', { exact: true }).selectOption('personal')
    await change.getByRole('button', { name: 'Save the field' }).click()
    await change.getByText('type and classification never change').waitFor()
    await change.getByRole('button', { name: 'Cancel' }).click()

    // The import: one bad row, reported by row and field; the others land.
    await page.getByRole('link', { name: 'Import', exact: true }).click()
    await heading(page, `Import into ${XSS}`).waitFor()
    await page.getByLabel('File to import').setInputFiles({
      name: 'places.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV, 'utf8'),
    })
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    const problems = page.getByRole('region', { name: 'Import problems' })
    const problem = problems.locator('tbody tr')
    await expect.poll(() => problem.count()).toBe(1)
    expect(await problem.locator('td').allTextContents()).toEqual([
      '2',
      'visits',
      'wrong_type',
      'The value is not of the field’s type.',
    ])
    await page.getByText('2 of 3 row(s) imported, 1 rejected.').waitFor()
    await visited(page, 'data-import-report')

    // A record with the XSS string as its text value, made through the form.
    await page.getByRole('link', { name: `Records of ${XSS}` }).click()
    await heading(page, `Records of ${XSS}`).waitFor()
    await expect.poll(() => rows(page).count()).toBe(2)
    await page.getByRole('button', { name: 'New record' }).click()
    const create = page.getByRole('dialog', { name: 'New record' })
    await create.getByLabel('City').fill(XSS)
    await create.getByLabel('Visits').fill('7')
    await create.getByLabel('Email').fill('mallory@example.com')
    await create.getByRole('button', { name: 'Create the record' }).click()
    await page.getByText('Record created.').waitFor()
    await expect.poll(() => rows(page).count()).toBe(3)
    await page.getByRole('cell', { name: XSS, exact: true }).waitFor()
    await expectNothingRan(page)

    // Filters on a public field.
    await page.getByRole('button', { name: 'Add a filter' }).click()
    const filter = page.getByRole('group', { name: 'Filter 1' })
    await filter.getByLabel('Field').selectOption('city')
    await filter.getByLabel('Condition').selectOption('eq')
    await filter.getByLabel('Value').fill('Paris')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect.poll(() => rows(page).count()).toBe(1)
    await visited(page, 'data-records')

    // DATA-8: one person's records through the data-subject field.
    await page.getByLabel(/Find a person's records by Email/).fill('eve@example.com')
    await page.getByRole('button', { name: 'Find', exact: true }).click()
    await page.getByText('No records match.').waitFor()
    await page.getByRole('button', { name: 'Show all records' }).click()
    await expect.poll(() => rows(page).count()).toBe(1)

    // Edit the filtered record.
    await page.getByRole('button', { name: 'Change record 1' }).click()
    const edit = page.getByRole('dialog', { name: 'Change the record' })
    await edit.getByLabel('City').fill('Paris Nord')
    await edit.getByRole('button', { name: 'Save the record' }).click()
    await page.getByText('Record saved.').waitFor()
    await filter.getByLabel('Value').fill('Paris Nord')
    await page.getByRole('button', { name: 'Apply' }).click()
    await page.getByRole('cell', { name: 'Paris Nord', exact: true }).waitFor()

    // DATA-4: delete (confirmed) -> recently deleted -> restore -> back in the records.
    await page.getByRole('button', { name: 'Delete record 1' }).click()
    const confirm = page.getByRole('dialog', { name: 'Delete this record?' })
    await confirm.getByRole('button', { name: 'Delete the record' }).click()
    await page.getByText(/Record deleted\. It can be restored until/).waitFor()
    await page.getByText('No records match.').waitFor()

    await page
      .getByRole('navigation', { name: 'Data' })
      .getByRole('link', { name: 'Recently deleted' })
      .click()
    await heading(page, 'Recently deleted').waitFor()
    const deleted = page.getByRole('region', { name: 'Recently deleted' }).locator('tbody tr')
    await expect.poll(() => deleted.count()).toBe(1)
    expect(await deleted.locator('td').first().textContent()).toBe('Record')
    await deleted.getByRole('link', { name: XSS }).waitFor()
    await visited(page, 'data-recently-deleted')
    await expectNothingRan(page)
    await deleted.getByRole('button', { name: /^Restore/ }).click()
    await page.getByText(`A record of ${XSS} was restored.`).waitFor()
    await page.getByText('Nothing was deleted recently.').waitFor()

    // The collections list shows the name as text too, and leads back to the records.
    await page
      .getByRole('navigation', { name: 'Data' })
      .getByRole('link', { name: 'Collections' })
      .click()
    await page.getByRole('link', { name: XSS, exact: true }).waitFor()
    await page.reload()
    await page.getByRole('link', { name: XSS, exact: true }).waitFor()
    await expectNothingRan(page)
    await page.getByRole('link', { name: `Records of ${XSS}`, exact: true }).click()
    await heading(page, `Records of ${XSS}`).waitFor()
    await page.getByRole('cell', { name: 'Paris Nord', exact: true }).waitFor()
    await expect.poll(() => rows(page).count()).toBe(3)

    // At phone width: tables scroll in their own box, the page does not.
    const recordsPath = new URL(page.url()).pathname
    await page.setViewportSize({ width: 375, height: 740 })
    await page.reload()
    await heading(page, `Records of ${XSS}`).waitFor()
    await expect.poll(() => rows(page).count()).toBe(3)
    expect(await overflowsHorizontally(page)).toBe(false)
    await visited(page, 'data-records-phone', false)
    await page.goto(`${base}${recordsPath.replace(/\/records$/, '')}`)
    await heading(page, XSS).waitFor()
    expect(await overflowsHorizontally(page)).toBe(false)
    await visited(page, 'data-collection-phone', false)
  }, 180_000)

  it('AUTHZ-2: a viewer sees only the collections shared with their group, read-only', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const shared = await newCollection(t, owner, { name: 'Shared places' })
    await newCollection(t, owner, { name: 'Not shared' })
    await newRecord(t, owner, shared.id, { name: 'Ada', city: 'Leeds' })
    const viewer = await addUser(t, org, 'viewer')
    const groupId = await createGroup(t, owner, 'Readers')
    await addMember(t, owner, groupId, viewer.id)
    await grantCollection(t, owner, groupId, shared.id, 'view')

    const page = await freshPage(browser)
    await signInThroughForm(page, base, {
      slug: org.tenant.slug,
      email: viewer.email,
      password: org.password,
    })
    await page.goto(`${base}/data`)
    await heading(page, 'Data').waitFor()
    await page.getByRole('link', { name: 'Shared places', exact: true }).waitFor()
    expect(await page.getByText('Not shared').count()).toBe(0)
    expect(await page.getByRole('heading', { name: 'New collection' }).count()).toBe(0)
    expect(await page.getByRole('link', { name: 'Recently deleted' }).count()).toBe(0)

    await page.getByRole('link', { name: 'Shared places', exact: true }).click()
    await heading(page, 'Shared places').waitFor()
    expect(await page.getByRole('button', { name: /^(Change|Remove|Delete)/ }).count()).toBe(0)
    expect(await page.getByRole('heading', { name: 'Add a field' }).count()).toBe(0)

    await page.getByRole('link', { name: 'Records', exact: true }).click()
    await heading(page, 'Records of Shared places').waitFor()
    await page.getByRole('cell', { name: 'Leeds', exact: true }).waitFor()
    expect(await page.getByRole('button', { name: 'New record' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: /^(Change|Delete)/ }).count()).toBe(0)
    await visited(page, 'data-records-viewer')
  }, 60_000)

  it('DATA-1, DATA-4: fields added and removed make schema versions; a deleted collection is restored', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const collection = await newCollection(t, owner, {
      name: 'Schema steps',
      fields: [
        { key: 'city', label: 'City', type: 'text', classification: 'public' },
        { key: 'note', label: 'Note', type: 'text', classification: 'internal' },
      ],
      subjectField: null,
    })
    const page = await freshPage(browser)
    await signInThroughForm(page, base, {
      slug: org.tenant.slug,
      email: org.owner.email,
      password: org.password,
    })
    await page.goto(`${base}/data/collections/${collection.id}`)
    await heading(page, 'Schema steps').waitFor()
    const versions = page.getByRole('region', { name: 'Schema versions' }).locator('tbody tr')
    await expect.poll(() => versions.count()).toBe(1)

    const added = page.getByRole('group', { name: 'New field' })
    await added.getByLabel('Label', { exact: true }).fill('Score')
    await added.getByLabel('Type', { exact: true }).selectOption('number')
    await page.getByRole('button', { name: 'Add the field' }).click()
    await page.getByText('The field Score was added.').waitFor()
    await expect.poll(() => versions.count()).toBe(2)

    await page.getByRole('button', { name: 'Remove Note' }).click()
    const remove = page.getByRole('dialog', { name: 'Remove the field Note?' })
    await remove.getByText('removed from every record').waitFor()
    await remove.getByRole('button', { name: 'Remove the field' }).click()
    await page.getByText('The field Note was removed.').waitFor()
    await expect.poll(() => versions.count()).toBe(3)
    expect(await versions.first().locator('td').nth(2).textContent()).toBe('city, score')

    await page.getByRole('button', { name: 'Delete the collection' }).click()
    await page
      .getByRole('dialog', { name: 'Delete Schema steps?' })
      .getByRole('button', { name: 'Delete the collection' })
      .click()
    await heading(page, 'Recently deleted').waitFor()
    const deleted = page.getByRole('region', { name: 'Recently deleted' }).locator('tbody tr')
    await expect.poll(() => deleted.count()).toBe(1)
    expect(await deleted.locator('td').first().textContent()).toBe('Collection')
    await deleted.getByRole('button', { name: /^Restore/ }).click()
    await page.getByText('The collection Schema steps was restored with its records.').waitFor()
    await page.goto(`${base}/data`)
    await page.getByRole('link', { name: 'Schema steps', exact: true }).waitFor()
  }, 60_000)
})
