// IAM-1 and DATA-6: an organisation signs up, choosing its region, with its first owner.
import { randomUUID } from 'node:crypto'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { withTenant } from '../../db/tenant.ts'
import { eventOrigin, recordEvent } from '../audit/audit.service.ts'
import type { AuditEvent } from '../audit/events.ts'
import { normalizeEmail } from '../identity/emails.ts'
import { assertAcceptablePassword, hashPassword } from '../identity/passwords.ts'
import { insertUser } from '../identity/users.repository.ts'
import type { UserRow } from '../identity/users.table.ts'
import { TenantErrors } from './errors.ts'
import { insertTenant } from './tenants.repository.ts'
import type { TenantRow } from './tenants.table.ts'

// Slugs that would be confusing or impersonate the provider.
const RESERVED_SLUGS = new Set([
  'admin',
  'api',
  'app',
  'console',
  'docs',
  'help',
  'login',
  'operator',
  'operators',
  'platform',
  'rampart',
  'root',
  'security',
  'status',
  'support',
  'system',
  'www',
])

export interface SignUpInput {
  organisationName: string
  slug: string
  region?: string | undefined
  ownerEmail: string
  ownerPassword: string
}

export async function signUp(
  ctx: ServiceContext,
  input: SignUpInput,
  meta: RequestMeta,
  /** Who acts: the new owner signing up (default), or the system for the operator CLI. */
  actedBy: 'owner' | 'system' = 'owner',
): Promise<{ tenant: TenantRow; owner: UserRow }> {
  const slug = input.slug
  if (RESERVED_SLUGS.has(slug)) throw TenantErrors.TENANT_SLUG_RESERVED()
  const region = input.region ?? ctx.config.defaultRegion
  if (!ctx.config.regions.includes(region)) {
    throw TenantErrors.TENANT_REGION_UNKNOWN(undefined, { offered: ctx.config.regions })
  }
  const name = input.organisationName.trim().normalize('NFC')
  const email = input.ownerEmail.trim().normalize('NFC')
  const emailNormalized = normalizeEmail(email)
  assertAcceptablePassword(input.ownerPassword, [
    emailNormalized,
    emailNormalized.split('@')[0] ?? '',
    name,
    slug,
  ])
  const passwordHash = await hashPassword(input.ownerPassword)

  const tenantId = randomUUID()
  try {
    return await withTenant(ctx.db, tenantId, async (trx) => {
      const tenant = await insertTenant(trx, { id: tenantId, slug, name, region })
      // KMS-1: the tenant key is made once the slug is known to be free (the insert above holds
      // it) and before the tenant commits, so no tenant ever exists without a key.
      await ctx.keys.createTenantKey(tenantId)
      const owner = await insertUser(trx, {
        id: randomUUID(),
        tenant_id: tenantId,
        email,
        email_normalized: emailNormalized,
        password_hash: passwordHash,
        role: 'owner',
        last_sign_in_at: null,
      })
      // LOG-1: both events commit with the rows they record, or neither does.
      const origin = eventOrigin(meta)
      const actor: AuditEvent['actor'] =
        actedBy === 'owner' ? { type: 'user', id: owner.id } : { type: 'system' }
      await recordEvent(trx, tenantId, {
        category: 'tenant',
        action: 'tenant.create',
        outcome: 'success',
        actor,
        target: { type: 'tenant', id: tenantId },
        ...origin,
      })
      await recordEvent(trx, tenantId, {
        category: 'iam',
        action: 'user.create',
        outcome: 'success',
        actor,
        target: { type: 'user', id: owner.id },
        fields: ['email', 'role', 'password_hash'],
        ...origin,
      })
      await recordEvent(trx, tenantId, {
        category: 'tenant',
        action: 'key.create',
        outcome: 'success',
        actor,
        target: { type: 'tenant_key', id: tenantId },
        ...origin,
      })
      return { tenant, owner }
    })
  } catch (err) {
    // Parallel sign-ups for one slug: the unique index lets exactly one commit.
    if (isUniqueViolation(err, 'tenants_slug_key')) throw TenantErrors.TENANT_SLUG_TAKEN()
    throw err
  }
}
