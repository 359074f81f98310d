// IAM-7: ownership handed over from the browser: the owner offers it from My account, the
// recipient sees the offer on theirs and accepts it; the roles change as the API says.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addUser } from '../../src/modules/identity/members.test-support.ts'
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

describe.skipIf(skipReason !== null)('ownership transfer in Chromium', () => {
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

  it('IAM-7: an owner offers ownership, the recipient accepts it; they become owner and the sender an admin', async () => {
    const org = await signUp(t.app)
    const admin = await addUser(t, org, 'admin')

    const owner = await freshPage(browser)
    await signInThroughForm(owner, base, {
      slug: org.tenant.slug,
      email: org.owner.email,
      password: org.password,
    })
    await owner.goto(`${base}/account`)
    const ownership = owner.getByRole('region', { name: 'Ownership' })
    await ownership.getByLabel('Offer ownership to').selectOption({ label: admin.email })
    await ownership.getByRole('button', { name: 'Offer ownership' }).click()
    await ownership.getByText(`Ownership is offered to ${admin.email}`).first().waitFor()
    await visited(owner, 'account-ownership-offered')

    const recipient = await freshPage(browser)
    await signInThroughForm(recipient, base, {
      slug: org.tenant.slug,
      email: admin.email,
      password: org.password,
    })
    await recipient.goto(`${base}/account`)
    const offer = recipient.getByRole('region', { name: 'Ownership' })
    await offer.getByText(`${org.owner.email} offers you ownership`).waitFor()
    await offer.getByRole('button', { name: 'Accept ownership' }).click()
    await recipient
      .getByRole('dialog', { name: 'Become an owner?' })
      .getByRole('button', { name: 'Accept' })
      .click()
    await offer.getByText('You are now an owner.').waitFor()
    await heading(recipient, 'My account').waitFor()
    await recipient.getByText('owner', { exact: true }).waitFor()

    const roles = await t.database.handle.db
      .selectFrom('users')
      .select(['email', 'role'])
      .where('tenant_id', '=', org.tenant.id)
      .orderBy('email')
      .execute()
    expect(Object.fromEntries(roles.map((r) => [r.email, r.role]))).toEqual({
      [admin.email]: 'owner',
      [org.owner.email]: 'admin',
    })
  })
})
