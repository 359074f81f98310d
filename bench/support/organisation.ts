// The data benchmarks' organisation: signed up through the real app, its owner signed in as a
// bearer client, and the requests they make as that owner (any status of 300 or more stops the
// benchmark).
import type { App } from '../../src/app.ts'

const PASSWORD = 'velvet-Harbour-71-quietly-Orbit'

export interface Org {
  tenantId: string
  authorization: { authorization: string }
}

export async function organisation(app: App, slug: string, name: string): Promise<Org> {
  const email = `owner@${slug}.example`
  const signup = await app.inject({
    method: 'POST',
    url: '/api/v1/signup',
    payload: { organisationName: name, slug, ownerEmail: email, ownerPassword: PASSWORD },
  })
  if (signup.statusCode !== 201) throw new Error(`sign-up: ${signup.statusCode} ${signup.body}`)
  const tenantId = (signup.json() as { tenant: { id: string } }).tenant.id
  const session = await app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    payload: { tenant: slug, email, password: PASSWORD, mode: 'bearer' },
  })
  if (session.statusCode !== 201) throw new Error(`sign-in: ${session.statusCode} ${session.body}`)
  const token = (session.json() as { token: string }).token
  return { tenantId, authorization: { authorization: `Bearer ${token}` } }
}

/** A request as the owner; its JSON answer. */
export async function inject(
  app: App,
  org: Org,
  method: 'GET' | 'POST',
  url: string,
  payload?: object,
): Promise<Record<string, unknown>> {
  const res = await app.inject({
    method,
    url,
    headers: org.authorization,
    ...(payload ? { payload } : {}),
  })
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
  return res.json() as Record<string, unknown>
}
