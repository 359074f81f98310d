// AUTHZ-5, AUTHZ-3: isolation cases for the kiosk-link routes, merged into cases.ts. A names B's
// tenant and ids as link and dashboard ids; B's secrets (session token, CSRF token), bare and in
// the shape of a kiosk token, are presented as kiosk tokens. Every answer is A's own or the same
// 404 or 422 as for an id or token that never existed, and reveals nothing of B. Each public case
// comes from its own address, so the guessing limits of one case cannot decide another's answer.
import type { InjectOptions } from 'fastify'
import { atIdsOfB, expectStatus, idsOfB, listsNothingOfB } from './case-helpers.ts'
import type { IsolationCase, IsolationContext } from './cases.ts'

const atLinksOfB = (method: InjectOptions['method']) => atIdsOfB('/api/v1/kiosk-links', method)

/** B's secrets presented as kiosk tokens at `prefix`, from `remoteAddress`. */
function tokensOfB(prefix: string, remoteAddress: string) {
  return ({ a, b }: IsolationContext): InjectOptions[] =>
    [b.bearer.token, `kl_${b.bearer.token}`, `kl_${b.cookie.csrf}`].map((token) => ({
      method: 'GET' as const,
      url: `${prefix}${token}`,
      headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      remoteAddress,
    }))
}

export const kioskLinksCases: Record<string, IsolationCase> = {
  'POST /api/v1/kiosk-links': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: '/api/v1/kiosk-links',
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        payload: { name: 'Into B?', dashboardIds: idsOfB(b) },
      },
      {
        method: 'POST',
        url: '/api/v1/kiosk-links',
        headers: a.bearer.authorization,
        payload: { name: 'Into B?', dashboardIds: [b.owner.id], tenantId: b.tenant.id },
      },
    ],
    verify: (responses) => {
      expectStatus(responses.slice(0, 1), 422, 'ACCESS_KIOSK_DASHBOARD_NOT_FOUND')
      expectStatus(responses.slice(1), 400, 'REQUEST_INVALID')
    },
  },
  // No query: the list takes none, so B's tenant goes in the header only.
  'GET /api/v1/kiosk-links': listsNothingOfB('/api/v1/kiosk-links', 'kioskLinks', () => ''),
  'GET /api/v1/kiosk-links/:linkId': {
    kind: 'tenant',
    requests: atLinksOfB('GET'),
    verify: (responses) => expectStatus(responses, 404, 'ACCESS_KIOSK_LINK_NOT_FOUND'),
  },
  'DELETE /api/v1/kiosk-links/:linkId': {
    kind: 'tenant',
    requests: atLinksOfB('DELETE'),
    verify: (responses) => expectStatus(responses, 404, 'ACCESS_KIOSK_LINK_NOT_FOUND'),
  },
  'GET /api/v1/kiosk/:token': {
    kind: 'tenant',
    requests: tokensOfB('/api/v1/kiosk/', '192.0.2.201'),
    verify: (responses) => expectStatus(responses, 404, 'ACCESS_KIOSK_NOT_FOUND'),
  },
  'GET /kiosk/:token': {
    kind: 'tenant',
    requests: tokensOfB('/kiosk/', '192.0.2.202'),
    verify: (responses) => {
      for (const r of responses) {
        if (r.statusCode !== 404 || !r.body.includes('Kiosk link unavailable')) {
          throw new Error(`expected the 404 page, got ${r.statusCode} ${r.body}`)
        }
      }
    },
  },
  'GET /kiosk/assets/kiosk.css': {
    kind: 'public',
    reason: 'The kiosk page stylesheet: the same static text for everyone',
  },
}
