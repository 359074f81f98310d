// IAM-4: a recovery code is spent once even under concurrency: of parallel attempts with one code
// exactly one succeeds, and of parallel generations exactly one set of ten stays valid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../../../test/support/app.ts'
import { withTenant } from '../../db/tenant.ts'
import {
  addMember,
  createMfaTestApp,
  type MfaTestApp,
  newRecoveryCodes,
} from './mfa.test-support.ts'
import { consumeRecoveryCode } from './recovery-codes.service.ts'

let t: MfaTestApp
let acme: SignedUp

function consume(userId: string, code: string): Promise<boolean> {
  return withTenant(t.database.handle, acme.tenant.id, (trx) =>
    consumeRecoveryCode(t.ctx, trx, acme.tenant.id, userId, code),
  )
}

beforeAll(async () => {
  t = await createMfaTestApp()
  acme = await signUp(t.app)
})
afterAll(() => t.close())

describe('recovery codes under concurrency', () => {
  it('IAM-4: parallel use of one code (in different spellings): exactly one wins', async () => {
    const member = await addMember(t, acme)
    const codes = await newRecoveryCodes(t, member.session)
    for (const code of codes.slice(0, 5)) {
      const spellings = [code, code.toLowerCase(), code.replaceAll('-', ''), code]
      const results = await Promise.all(spellings.map((s) => consume(member.id, s)))
      expect(results.filter(Boolean), `${results}`).toHaveLength(1)
    }
  })

  it('IAM-4: parallel generations leave exactly one set of ten valid codes', async () => {
    const member = await addMember(t, acme)
    const sets = await Promise.all([1, 2, 3].map(() => newRecoveryCodes(t, member.session)))
    const rows = await t.database.handle.db
      .selectFrom('mfa_recovery_codes')
      .select('id')
      .where('user_id', '=', member.id)
      .execute()
    expect(rows).toHaveLength(10)
    const working = []
    for (const set of sets) working.push(await consume(member.id, set[0] as string))
    expect(working.filter(Boolean)).toHaveLength(1)
  })
})
