// IAM-7: an organisation keeps at least one active owner at every moment. Every change that can
// take ownership away takes the organisation's member-change lock before it counts the other
// owners, so parallel changes take turns: two owners demoting, deactivating or removing each
// other at once, or one owner's parallel requests, never leave the organisation without one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signUp } from '../../../test/support/app.ts'
import {
  activeOwners,
  addUser,
  call,
  createMembersTestApp,
  type MembersTestApp,
  ownerOf,
  type TestUser,
} from './members.test-support.ts'

let t: MembersTestApp
beforeAll(async () => {
  t = await createMembersTestApp()
})
afterAll(() => t.close())

const ROUNDS = 4

type Move = (by: TestUser, other: TestUser) => ReturnType<typeof call>

const demote: Move = (by, other) =>
  call(t, by.session, 'PUT', `/api/v1/users/${other.id}/role`, { role: 'admin' })
const stepDown: Move = (by) =>
  call(t, by.session, 'PUT', `/api/v1/users/${by.id}/role`, { role: 'admin' })
const deactivate: Move = (by, other) =>
  call(t, by.session, 'POST', `/api/v1/users/${other.id}/deactivate`)
const remove: Move = (by, other) => call(t, by.session, 'DELETE', `/api/v1/users/${other.id}`)
const leave: Move = (by) => call(t, by.session, 'DELETE', '/api/v1/me')

/** Two owners; each makes one move against the other (or itself) at the same moment. */
async function race(first: Move, second: Move) {
  const org = await signUp(t.app)
  const a = await ownerOf(t, org)
  const b = await addUser(t, org, 'owner')
  const results = await Promise.all([first(a, b), second(b, a)])
  const owners = await activeOwners(t, org.tenant.id)
  return { results, owners }
}

function expectOneWinner(results: { statusCode: number; body: string }[]) {
  const won = results.filter((r) => r.statusCode < 300)
  expect(won, results.map((r) => r.body).join('\n')).toHaveLength(1)
  for (const lost of results.filter((r) => r.statusCode >= 300)) {
    // The loser is refused as the last owner, or (having lost ownership to the winner) as a
    // caller who no longer holds owners.manage, or as a removed user.
    expect([401, 403, 409]).toContain(lost.statusCode)
    expect(['IDENTITY_LAST_OWNER', 'AUTH_PERMISSION_DENIED', 'AUTH_REQUIRED']).toContain(
      JSON.parse(lost.body).error.code,
    )
  }
}

describe('IAM-7 parallel changes never remove the last owner', () => {
  it.each<[string, Move, Move]>([
    ['two owners demote each other', demote, demote],
    ['two owners deactivate each other', deactivate, deactivate],
    ['two owners remove each other', remove, remove],
    ['both owners step down', stepDown, stepDown],
    ['both owners leave', leave, leave],
    ['one leaves while the other steps down', leave, stepDown],
    ['one deactivates the other while the other demotes the first', deactivate, demote],
    ['one removes the other while the other demotes the first', remove, demote],
  ])(
    'IAM-7: %s: exactly one succeeds and an active owner remains',
    async (_name, first, second) => {
      for (let round = 0; round < ROUNDS; round++) {
        const { results, owners } = await race(first, second)
        expectOneWinner(results)
        expect(owners).toHaveLength(1)
      }
    },
  )

  it('IAM-7: one owner demoting the other while stepping down, in parallel: an owner remains', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const org = await signUp(t.app)
      const a = await ownerOf(t, org)
      const b = await addUser(t, org, 'owner')
      const results = await Promise.all([demote(a, b), stepDown(a, b)])
      expectOneWinner(results)
      expect(await activeOwners(t, org.tenant.id)).toHaveLength(1)
    }
  })

  it('IAM-7: a third owner demoting the last two in parallel leaves at least one of them or itself', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const org = await signUp(t.app)
      const a = await ownerOf(t, org)
      const b = await addUser(t, org, 'owner')
      const c = await addUser(t, org, 'owner')
      // c steps down while demoting a and b: three requests, never zero owners.
      const results = await Promise.all([demote(c, a), demote(c, b), stepDown(c, c)])
      const owners = await activeOwners(t, org.tenant.id)
      expect(owners.length).toBeGreaterThanOrEqual(1)
      expect(results.filter((r) => r.statusCode < 300).length).toBeGreaterThanOrEqual(1)
      for (const r of results) expect(r.statusCode).toBeLessThan(500)
    }
  })
})
