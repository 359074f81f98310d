// IAM-6: a revoked session's token is refused on the very next request, bearer and cookie alike:
// authenticate() reads the session row on every request and caches nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedUp,
  STRONG_PASSWORD,
  signUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { addUser, meStatus, type Session, signInFrom } from './devices.test-support.ts'

let t: TestApp
let acme: SignedUp
let owner: Session

beforeAll(async () => {
  t = await createTestApp()
  acme = await signUp(t.app)
  owner = await signInFrom(t, acme, acme.owner.email)
})
afterAll(() => t.close())

type Revoker = (victim: Session, current: Session, userId: string) => Promise<number>

const revokers: [string, Revoker][] = [
  [
    'DELETE /me/sessions/:id',
    async (victim, current) =>
      (
        await t.app.inject({
          method: 'DELETE',
          url: `/api/v1/me/sessions/${victim.sessionId}`,
          ...current.auth,
        })
      ).statusCode,
  ],
  [
    'DELETE /me/sessions?others=true',
    async (_victim, current) =>
      (
        await t.app.inject({
          method: 'DELETE',
          url: '/api/v1/me/sessions?others=true',
          ...current.auth,
        })
      ).statusCode,
  ],
  [
    "an admin's DELETE /users/:userId/sessions/:id",
    async (victim, _current, userId) =>
      (
        await t.app.inject({
          method: 'DELETE',
          url: `/api/v1/users/${userId}/sessions/${victim.sessionId}`,
          ...owner.auth,
        })
      ).statusCode,
  ],
  [
    'POST /me/password',
    async (_victim, current) =>
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/me/password',
          ...current.auth,
          payload: {
            currentPassword: STRONG_PASSWORD,
            newPassword: 'tundra-Lantern-58-gravely-Comet',
          },
        })
      ).statusCode,
  ],
]

describe('revocation takes effect at once', () => {
  for (const mode of ['bearer', 'cookie'] as const) {
    it.each(revokers)(
      `IAM-6: after %s a ${mode} token gets 401 on the very next request`,
      async (_name, revoke) => {
        const user = await addUser(t, acme, 'member')
        const current = await signInFrom(t, acme, user.email)
        const victim = await signInFrom(t, acme, user.email, { mode })
        // Authenticated a moment ago, so anything cached would still say yes.
        expect(await meStatus(t, victim)).toBe(200)
        expect(await revoke(victim, current, user.id)).toBeLessThan(300)
        expect(await meStatus(t, victim)).toBe(401)
        expect(await meStatus(t, current)).toBe(200)
      },
    )
  }
})
