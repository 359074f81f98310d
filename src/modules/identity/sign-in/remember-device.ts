// Purpose: give a browser that signed in for the first time a device cookie, so later attempts
// from it are counted apart from the account's (IAM-3).
import { randomUUID } from 'node:crypto'
import type { ServiceContext } from '../../../context.ts'
import { withTenant } from '../../../db/tenant.ts'
import { insertKnownDevice } from '../sign-in-guards.repository.ts'
import { hashToken, newSessionToken } from '../tokens.ts'
import type { SessionAttempt } from './attempt.ts'

export async function rememberDevice(ctx: ServiceContext, attempt: SessionAttempt): Promise<void> {
  // Already a known device of this user: its cookie stays as it is.
  if (attempt.guard?.kind === 'device' || !attempt.issued || !attempt.user) return
  const tenantId = attempt.tenantId as string
  const userId = attempt.user.id
  const token = newSessionToken()
  await withTenant(ctx.db, tenantId, (trx) =>
    insertKnownDevice(trx, {
      id: randomUUID(),
      tenant_id: tenantId,
      user_id: userId,
      token_hash: hashToken(token),
    }),
  )
  attempt.issued.deviceToken = token
}
