// IAM-8 test support: an organisation signed in from the default inject address (127.0.0.1),
// saving its allowlist and making requests from chosen addresses.
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import type { App } from '../../app.ts'

/** Any test app: the helpers need only its Fastify instance. */
type TestApp = { app: App }

export interface Org {
  org: SignedUp
  owner: SignedIn
}

export async function newOrg(t: TestApp): Promise<Org> {
  const org = await signUp(t.app)
  return { org, owner: await signInBearer(t.app, org) }
}

export function saveAllowlist(
  t: TestApp,
  who: SignedIn,
  payload: unknown,
  extra: Partial<InjectOptions> = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'PUT',
    url: '/api/v1/tenant/ip-allowlist',
    headers: { ...who.authorization, ...(extra.headers ?? {}) },
    ...(extra.remoteAddress ? { remoteAddress: extra.remoteAddress } : {}),
    payload: payload as InjectOptions['payload'],
  })
}

/** Saves the ranges (the test's own 127.0.0.1 included, so the saver stays in); expects 200. */
export async function allowOnly(t: TestApp, who: SignedIn, cidrs: string[]): Promise<void> {
  const res = await saveAllowlist(t, who, { entries: cidrs.map((cidr) => ({ cidr })) })
  if (res.statusCode !== 200) throw new Error(`save failed: ${res.statusCode} ${res.body}`)
}

/** GET /api/v1/me from `remoteAddress`, with optional extra headers. */
export function meFrom(
  t: TestApp,
  who: SignedIn,
  remoteAddress: string,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'GET',
    url: '/api/v1/me',
    remoteAddress,
    headers: { ...who.authorization, ...headers },
  })
}

export async function auditEvents(
  t: TestApp,
  who: SignedIn,
  action: string,
): Promise<Record<string, unknown>[]> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/v1/audit/events?action=${action}`,
    headers: who.authorization,
  })
  if (res.statusCode !== 200) throw new Error(`audit read failed: ${res.statusCode} ${res.body}`)
  return (res.json() as { events: Record<string, unknown>[] }).events
}
