// Test support for the two-stage sign-in: the password half, the second-factor half, and a user
// with an authenticator enrolled.
import type { SignedUp } from '../../../../test/support/app.ts'
import type { App } from '../../../app.ts'

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
