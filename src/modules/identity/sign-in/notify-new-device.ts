// Purpose: tell the user by e-mail when their account is signed in to from a browser it had not
// used before; the very first sign-in of an account is not news (IAM-6).
import type { ServiceContext } from '../../../context.ts'
import { withTenant } from '../../../db/tenant.ts'
import { queueMail } from '../../mail/mail.service.ts'
import { findTenantSettings } from '../../tenants/mfa-policy.repository.ts'
import { newDeviceMail } from '../notices.mails.ts'
import { countKnownDevices } from '../sign-in-guards.repository.ts'
import type { SessionAttempt } from './attempt.ts'

export async function notifyNewDevice(ctx: ServiceContext, attempt: SessionAttempt): Promise<void> {
  if (!attempt.issued?.deviceToken || !attempt.user || !attempt.tenantId) return
  const tenantId = attempt.tenantId
  const user = attempt.user
  await withTenant(ctx.db, tenantId, async (trx) => {
    if ((await countKnownDevices(trx, tenantId, user.id)) < 2) return
    const tenant = await findTenantSettings(trx, tenantId)
    await queueMail(
      trx,
      tenantId,
      newDeviceMail(
        user.email,
        tenant?.name ?? 'your organisation',
        new Date(),
        attempt.meta.ip,
        attempt.meta.userAgent,
      ),
    )
  })
}
