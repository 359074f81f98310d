// Test support for the sign-in suites: the password half, the second-factor half, and the audit
// trail they leave.
import type { SignedUp } from '../../../../test/support/app.ts'
import type { App } from '../../../app.ts'
import type { DatabaseHandle } from '../../../db/connection.ts'
import { sequencePending } from '../../audit/audit.service.ts'

/** The organisation's audit events as `action` or `action:reason`, oldest first. */
export async function auditReasons(handle: DatabaseHandle, tenantId: string): Promise<string[]> {
  await sequencePending(handle)
  const rows = await handle.db
    .selectFrom('audit_entries')
    .select('event')
    .where('tenant_id', '=', tenantId)
    .orderBy('idx')
    .execute()
  return rows.map((r) => {
    const e = JSON.parse(r.event) as { action: string; reason?: string }
    return `${e.action}${e.reason ? `:${e.reason}` : ''}`
  })
}

export function passwordHalf(
  app: App,
  who: SignedUp,
  options: { email?: string; password?: string; device?: string } = {},
) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    payload: {
      tenant: who.tenant.slug,
      email: options.email ?? who.owner.email,
      password: options.password ?? who.password,
      mode: 'bearer',
    },
    ...(options.device ? { cookies: { '__Host-rampart_device': options.device } } : {}),
  })
}

/** The challenge token of a password half that asked for a second factor. */
export async function challengeFor(
  app: App,
  who: SignedUp,
  options: { email?: string; device?: string } = {},
): Promise<string> {
  const res = await passwordHalf(app, who, options)
  if (res.statusCode !== 200) throw new Error(`expected a challenge: ${res.statusCode} ${res.body}`)
  return (res.json() as { challenge: { token: string } }).challenge.token
}

export function secondHalf(
  app: App,
  challenge: string,
  method: 'totp' | 'recovery_code',
  code: string,
  mode: 'bearer' | 'cookie' = 'bearer',
) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/sessions/mfa',
    payload: { challenge, method, code, mode },
  })
}

/** A six-digit code that is not the current one, nor one a step either side. */
export function wrongCode(right: string[]): string {
  for (let n = 0; ; n++) {
    const code = String((Number(right[0]) + 500_000 + n) % 1_000_000).padStart(6, '0')
    if (!right.includes(code)) return code
  }
}
