// The console's people administration in Chromium (docs/console-admin-people.md): an owner invites
// someone, changes their role, builds a group with a member and a grant, and deactivates and
// reactivates them through the confirmation dialog; roles without the permissions neither see
// the screens in the navigation nor get more than the API's refusal. Every screen is checked for
// CSP violations and by axe-core, and the users screen at phone width.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newCollection } from '../../src/modules/data/data.test-support.ts'
import { addUser } from '../../src/modules/identity/devices.test-support.ts'
import {
  createMembersTestApp,
  invitationTokenFor,
  type MembersTestApp,
} from '../../src/modules/identity/members.test-support.ts'
import { type SignedUp, STRONG_PASSWORD, signInBearer, signUp } from '../support/app.ts'
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
if (skipReason) console.warn(`admin people browser tests skipped: ${skipReason}`)

describe.skipIf(skipReason !== null)('the people administration screens in Chromium', () => {
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

  const signInAs = (page: Page, org: SignedUp, email: string) =>
    signInThroughForm(page, base, { slug: org.tenant.slug, email, password: STRONG_PASSWORD })

  it('IAM-1, AUTHZ-1, AUTHZ-2: an owner invites, changes a role, builds a group with a grant, deactivates and reactivates', async () => {
    const org = await signUp(t.app, { organisationName: 'People Admin Ltd' })
    const collection = await newCollection(t, await signInBearer(t.app, org), {
      name: 'Field reports',
    })
    const email = `grace@${org.tenant.slug}.example`
    const page = await newPage()
    await signInAs(page, org, org.owner.email)

    // The overview: a card for every admin screen an owner reaches.
    await page.getByRole('navigation').getByRole('link', { name: 'Administration' }).click()
    await heading(page, 'Administration').waitFor()
    for (const name of [
      'Users and invitations',
      'Roles',
      'Groups and grants',
      'IP allowlist',
      'MFA policy',
      'API keys',
      'Access reviews',
    ]) {
      await page.getByRole('main').getByRole('link', { name, exact: true }).waitFor()
    }
    await visited(page, 'admin-overview')

    // IAM-1: invite by e-mail with a role; the invitation is listed as pending.
    await page.getByRole('link', { name: 'Users and invitations' }).click()
    await heading(page, 'Users and invitations').waitFor()
    await page.getByLabel('E-mail address').fill(email)
    await page.getByLabel('Role', { exact: true }).selectOption('viewer')
    await page.getByRole('button', { name: 'Send invitation' }).click()
    await page.getByText(`Invitation sent to ${email}.`).waitFor()
    const pending = page.getByRole('region', { name: 'Pending invitations' })
    await pending.getByRole('cell', { name: email, exact: true }).waitFor()
    await pending.getByRole('cell', { name: 'viewer', exact: true }).waitFor()

    // The invited person accepts the mailed link; after a reload they are a user, not pending.
    const token = await invitationTokenFor(t, email)
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, password: STRONG_PASSWORD },
    })
    expect(accepted.statusCode).toBe(201)
    await page.reload()
    await heading(page, 'Users and invitations').waitFor()
    const users = page.getByRole('region', { name: 'Users', exact: true })
    await users.getByRole('cell', { name: email, exact: true }).waitFor()
    await page.getByText('No pending invitations.').waitFor()
    await visited(page, 'admin-members')

    // AUTHZ-1: the role change (the owner signed in moments ago: no step-up asked).
    await page.getByRole('button', { name: `Manage ${email}` }).click()
    await page.getByRole('heading', { level: 2, name: `Manage ${email}` }).waitFor()
    await page.getByLabel('New role').selectOption('member')
    await page.getByRole('button', { name: 'Change role' }).click()
    await page.getByText(`${email} is now member.`).waitFor()
    await users
      .getByRole('row', { name: new RegExp(email) })
      .getByText('member')
      .waitFor()

    // The phone width: the table scrolls in its own box, the page does not.
    await page.setViewportSize({ width: 375, height: 740 })
    expect(await overflowsHorizontally(page)).toBe(false)
    await visited(page, 'admin-members-phone')
    await page.setViewportSize({ width: 1280, height: 860 })

    // AUTHZ-1: the matrix of roles and permissions, from GET /api/v1/roles.
    await page.goto(`${base}/admin/roles`)
    await heading(page, 'Roles').waitFor()
    const matrix = page.getByRole('region', { name: 'Permissions of each role' })
    await matrix.getByRole('rowheader', { name: /owners\.manage/ }).waitFor()
    await matrix.getByRole('columnheader', { name: 'auditor' }).waitFor()
    await visited(page, 'admin-roles')
    await page.setViewportSize({ width: 375, height: 740 })
    expect(await overflowsHorizontally(page)).toBe(false)
    await page.setViewportSize({ width: 1280, height: 860 })

    // AUTHZ-2: a group, with the new member and an edit grant on the collection.
    await page.goto(`${base}/admin/groups`)
    await heading(page, 'Groups').waitFor()
    await page.getByText('No groups yet.').waitFor()
    await page.getByLabel('Group name').fill('Field team')
    await page.getByLabel('Description (optional)').fill('People who file the reports')
    await page.getByRole('button', { name: 'Create group' }).click()
    await page.getByText('Group Field team created.').waitFor()
    await page.getByRole('link', { name: 'Field team' }).waitFor()
    await visited(page, 'admin-groups')

    await page.getByRole('link', { name: 'Field team' }).click()
    await heading(page, 'Field team').waitFor()
    await page.getByLabel('Person').selectOption({ label: `${email} (member)` })
    await page.getByRole('button', { name: 'Add to group' }).click()
    await page.getByText(`${email} was added to the group.`).waitFor()
    await page
      .getByRole('region', { name: 'Members', exact: true })
      .getByRole('cell', { name: email, exact: true })
      .waitFor()

    // A permission chosen for one kind does not carry over to another: changing the kind resets it.
    await page.getByLabel('Permission').selectOption('edit')
    await page.getByLabel('Kind').selectOption('dashboard')
    expect(await page.getByLabel('Permission').inputValue()).toBe('view')
    await page.getByLabel('Kind').selectOption('collection')
    await page.getByLabel('Collection').selectOption({ label: collection.name })
    await page.getByLabel('Permission').selectOption('edit')
    await page.getByRole('button', { name: 'Add grant' }).click()
    await page.getByText(`Granted edit on collection ${collection.name}.`).waitFor()
    await page
      .getByRole('region', { name: 'Grants', exact: true })
      .getByRole('cell', { name: collection.name, exact: true })
      .waitFor()
    await visited(page, 'admin-group')

    // IAM-1: deactivation and reactivation, each through the confirmation dialog.
    await page.goto(`${base}/admin/members`)
    await heading(page, 'Users and invitations').waitFor()
    await page.getByRole('button', { name: `Manage ${email}` }).click()
    await page.getByRole('button', { name: 'Deactivate', exact: true }).click()
    const confirm = page.getByRole('dialog', { name: 'Deactivate this user?' })
    await confirm.getByRole('button', { name: 'Deactivate' }).click()
    await page.getByText(`${email} is deactivated.`).waitFor()
    await confirm.waitFor({ state: 'hidden' })
    await users
      .getByRole('row', { name: new RegExp(email) })
      .getByText('deactivated')
      .waitFor()
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { tenant: org.tenant.slug, email, password: STRONG_PASSWORD, mode: 'bearer' },
    })
    expect(signIn.statusCode).toBe(401)

    await page.getByRole('button', { name: 'Reactivate', exact: true }).click()
    await page
      .getByRole('dialog', { name: 'Reactivate this user?' })
      .getByRole('button', { name: 'Reactivate' })
      .click()
    await page.getByText(`${email} is active again.`).waitFor()
    await users
      .getByRole('row', { name: new RegExp(email) })
      .getByText('active')
      .waitFor()

    // The member signs in again, and sees only the API keys card; the users screen shows the
    // API's refusal, not a crash.
    const memberPage = await newPage()
    await signInAs(memberPage, org, email)
    await memberPage.getByRole('navigation').getByRole('link', { name: 'Administration' }).click()
    await heading(memberPage, 'Administration').waitFor()
    await memberPage.getByRole('main').getByRole('link', { name: 'API keys' }).waitFor()
    expect(
      await memberPage
        .getByRole('main')
        .getByRole('link', { name: 'Users and invitations' })
        .count(),
    ).toBe(0)
    await memberPage.goto(`${base}/admin/members`)
    await heading(memberPage, 'Users and invitations').waitFor()
    await memberPage.getByRole('alert').first().waitFor()
    expect(await memberPage.getByRole('alert').first().textContent()).toBe(
      'Your role does not allow this.',
    )
    expect(await memberPage.getByLabel('E-mail address').count()).toBe(0)
    await visited(memberPage, 'admin-members-denied')
    expect(dialogsOpened).toEqual([])
    // Many screens in one story on two shared cores: more than the default 30 s.
  }, 120_000)

  it('IAM-1, IAM-6: an invitation is revoked through its dialog; removing a user after an old sign-in asks for step-up first', async () => {
    const org = await signUp(t.app)
    const owner = await signInBearer(t.app, org)
    const doomed = await addUser(t, org, 'member')
    const invited = `later@${org.tenant.slug}.example`
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/invitations',
          headers: owner.authorization,
          payload: { email: invited, role: 'auditor' },
        })
      ).statusCode,
    ).toBe(201)
    const page = await newPage()
    await signInAs(page, org, org.owner.email)
    await page.goto(`${base}/admin/members`)
    await heading(page, 'Users and invitations').waitFor()

    await page.getByRole('button', { name: `Revoke ${invited}` }).click()
    await page
      .getByRole('dialog', { name: 'Revoke this invitation?' })
      .getByRole('button', { name: 'Revoke invitation' })
      .click()
    await page.getByText(`The invitation of ${invited} was revoked.`).waitFor()
    await page.getByText('No pending invitations.').waitFor()

    // IAM-6: the owner's sign-in is now 15 minutes old, past the step-up window.
    await t.database.handle.db
      .updateTable('sessions')
      .set({ authenticated_at: new Date(Date.now() - 15 * 60_000) })
      .where('user_id', '=', org.owner.id)
      .execute()
    await page.getByRole('button', { name: `Manage ${doomed.email}` }).click()
    await page.getByRole('button', { name: 'Remove from the organisation' }).click()
    await page
      .getByRole('dialog', { name: 'Remove this user?' })
      .getByRole('button', { name: 'Remove user' })
      .click()
    const stepUp = page.getByRole('dialog', { name: 'Confirm it is you' })
    await stepUp.getByLabel('Password').fill(STRONG_PASSWORD)
    await stepUp.getByRole('button', { name: 'Confirm' }).click()
    await page.getByText(`${doomed.email} was removed from the organisation.`).waitFor()
    const users = page.getByRole('region', { name: 'Users', exact: true })
    expect(await users.getByRole('cell', { name: doomed.email, exact: true }).count()).toBe(0)
    const gone = await t.app.inject({
      method: 'GET',
      url: `/api/v1/users/${doomed.id}`,
      headers: owner.authorization,
    })
    expect(gone.statusCode).toBe(404)
  }, 60_000)

  it('AUTHZ-1: a role with no administration permission has no Administration link, and /admin/members shows the refusal', async () => {
    const org = await signUp(t.app)
    const viewer = await addUser(t, org, 'viewer')
    const page = await newPage()
    await signInAs(page, org, viewer.email)
    await page.getByRole('navigation').getByRole('link', { name: 'My account' }).waitFor()
    expect(
      await page.getByRole('navigation').getByRole('link', { name: 'Administration' }).count(),
    ).toBe(0)
    await page.goto(`${base}/admin/members`)
    await heading(page, 'Users and invitations').waitFor()
    await page.getByText('Your role does not allow this.').first().waitFor()
    await page.goto(`${base}/admin/groups`)
    await heading(page, 'Groups').waitFor()
    await page.getByText('Your role does not allow this.').first().waitFor()
    await page.goto(`${base}/admin`)
    await heading(page, 'Administration').waitFor()
    await page.getByText('Your role has no administration screens.').waitFor()
  })
})
