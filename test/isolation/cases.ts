// AUTHZ-5: one isolation case for every route. The harness in tenant-isolation.test.ts fails when
// a registered route has no case here, so a new module cannot ship a route unchecked.
//
// A `public` case says why the route holds no tenant data. A `tenant` case lists the requests
// tenant A makes aimed at tenant B (B's ids in the path, query, body and headers); the harness
// then checks that no response reveals anything of B and that B's rows are unchanged.
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import type { App } from '../../src/app.ts'
import type { SignedIn, SignedUp } from '../support/app.ts'
import { accessReviewsCases } from './cases.access-reviews.ts'
import { apiKeysCases } from './cases.api-keys.ts'
import { consoleCases } from './cases.console.ts'
import { dashboardsCases } from './cases.dashboards.ts'
import { dataCases } from './cases.data.ts'
import { dataImportCases } from './cases.data-import.ts'
import { groupsCases } from './cases.groups.ts'
import { kioskLinksCases } from './cases.kiosk-links.ts'
import { membersCases } from './cases.members.ts'

export interface Party extends SignedUp {
  bearer: SignedIn
  cookie: { cookies: Record<string, string>; csrf: string }
}

export interface IsolationContext {
  app: App
  /** The caller. */
  a: Party
  /** The target: nothing of B may be read or changed. */
  b: Party
}

export type IsolationCase =
  | { kind: 'public'; reason: string }
  | {
      kind: 'tenant'
      requests(ctx: IsolationContext): InjectOptions[]
      /**
       * B's audit log may grow by failure events: A's refused attempts against B belong in B's
       * log (LOG-1), and count against B's sign-in failure counters (IAM-3) without locking
       * them. Everything else of B must stay exactly as it was.
       */
      recordsFailuresInB?: boolean
      /** Extra checks on the responses, beyond the harness's own. */
      verify?(responses: LightMyRequestResponse[], ctx: IsolationContext): void | Promise<void>
    }

const STATIC_DOCS = {
  kind: 'public',
  reason: 'API reference: static files and the OpenAPI document',
} as const

/** Ids of B's rows that A can know of. B's credentials are aimed at in src/modules/vault/. */
const idsOfB = (b: Party) => [b.tenant.id, b.owner.id, b.bearer.sessionId]

/** IAM-4: WebAuthn responses of the right shape to a challenge nobody issued. */
const FAKE_CHALLENGE_ID = `00000000-0000-4000-8000-000000000000.${'A'.repeat(240)}`
const B64 = (text: string) => Buffer.from(text).toString('base64url')
const FAKE_CREDENTIAL = { id: 'A'.repeat(43), rawId: 'A'.repeat(43), type: 'public-key' }
const FAKE_REGISTRATION = {
  challengeId: FAKE_CHALLENGE_ID,
  name: 'Into B?',
  response: {
    ...FAKE_CREDENTIAL,
    clientExtensionResults: {},
    response: { clientDataJSON: B64('{}'), attestationObject: B64('\u00a0') },
  },
}
const FAKE_ASSERTION = {
  challengeId: FAKE_CHALLENGE_ID,
  response: {
    ...FAKE_CREDENTIAL,
    clientExtensionResults: {},
    response: { clientDataJSON: B64('{}'), authenticatorData: B64('x'), signature: B64('x') },
  },
  mode: 'bearer',
}

function expectStatus(responses: LightMyRequestResponse[], status: number, code?: string): void {
  for (const r of responses) {
    if (r.statusCode !== status || (code && r.json().error.code !== code)) {
      throw new Error(`expected ${status} ${code ?? ''}, got ${r.statusCode} ${r.body}`)
    }
  }
}

/** Keyed by `METHOD url-pattern`; HEAD routes are checked through their GET case. */
export const isolationCases: Record<string, IsolationCase> = {
  ...membersCases,
  ...groupsCases,
  ...apiKeysCases,
  ...accessReviewsCases,
  ...dataCases,
  ...consoleCases,
  ...dataImportCases,
  ...dashboardsCases,
  ...kioskLinksCases,
  'OPTIONS *': { kind: 'public', reason: 'CORS preflight: headers only, no data' },
  'GET /docs': STATIC_DOCS,
  'GET /docs/': STATIC_DOCS,
  'GET /docs/static/index.html': STATIC_DOCS,
  'GET /docs/static/swagger-initializer.js': STATIC_DOCS,
  'GET /docs/static/*': STATIC_DOCS,
  'GET /docs/json': STATIC_DOCS,
  'GET /docs/yaml': STATIC_DOCS,
  'GET /healthz': { kind: 'public', reason: 'liveness: a constant' },
  'GET /readyz': { kind: 'public', reason: 'readiness: database up or down, no rows' },
  'GET /metrics': {
    kind: 'public',
    reason: 'process and per-route counters, labelled by route pattern, never by tenant or id',
  },
  'GET /api/v1/roles': {
    kind: 'public',
    reason: 'AUTHZ-1: the static role and permission catalogue, the same for every organisation',
  },

  'POST /api/v1/signup': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      // Claiming B's slug while signed in as A: refused, B untouched.
      {
        method: 'POST',
        url: '/api/v1/signup',
        headers: a.bearer.authorization,
        payload: {
          organisationName: 'Takeover',
          slug: b.tenant.slug,
          ownerEmail: b.owner.email,
          ownerPassword: 'velvet-Harbour-71-quietly-Orbit',
        },
      },
      // Naming B's tenant id in the body: unknown field, refused.
      {
        method: 'POST',
        url: '/api/v1/signup',
        headers: a.bearer.authorization,
        payload: {
          organisationName: 'Takeover',
          slug: `x-${a.tenant.slug}`,
          ownerEmail: 'x@x.example',
          ownerPassword: 'velvet-Harbour-71-quietly-Orbit',
          tenantId: b.tenant.id,
        },
      },
    ],
    verify: ([slug, body]) => {
      if (slug?.statusCode !== 409) throw new Error(`expected 409, got ${slug?.statusCode}`)
      if (body?.statusCode !== 400) throw new Error(`expected 400, got ${body?.statusCode}`)
    },
  },

  'POST /api/v1/sessions': {
    kind: 'tenant',
    recordsFailuresInB: true,
    requests: ({ a, b }) => [
      // A's password against B's owner, A's owner against B's organisation.
      {
        method: 'POST',
        url: '/api/v1/sessions',
        cookies: a.cookie.cookies,
        payload: { tenant: b.tenant.slug, email: b.owner.email, password: a.password.concat('!') },
      },
      {
        method: 'POST',
        url: '/api/v1/sessions',
        headers: a.bearer.authorization,
        payload: { tenant: b.tenant.slug, email: a.owner.email, password: a.password },
      },
    ],
    verify: (responses) => {
      for (const r of responses) {
        if (r.statusCode !== 401) throw new Error(`expected 401, got ${r.statusCode}`)
      }
    },
  },

  // IAM-4: B's session token offered as A's second-factor challenge finds nothing.
  'POST /api/v1/sessions/mfa': {
    kind: 'tenant',
    requests: ({ b }) => [
      {
        method: 'POST',
        url: '/api/v1/sessions/mfa',
        payload: { challenge: b.bearer.token, method: 'totp', code: '123456' },
      },
      {
        method: 'POST',
        url: '/api/v1/sessions/mfa',
        headers: { 'x-tenant-id': b.tenant.id },
        payload: { challenge: b.cookie.csrf, method: 'recovery_code', code: 'ABCD-EFGH-IJKL' },
      },
    ],
    verify: (responses) => expectStatus(responses, 401, 'IDENTITY_SECOND_FACTOR_INVALID'),
  },
  'POST /api/v1/sessions/mfa/passkey-options': {
    kind: 'tenant',
    requests: ({ b }) =>
      [b.bearer.token, b.cookie.csrf].map((challenge) => ({
        method: 'POST' as const,
        url: '/api/v1/sessions/mfa/passkey-options',
        headers: { 'x-tenant-id': b.tenant.id },
        payload: { challenge },
      })),
    verify: (responses) => expectStatus(responses, 401, 'IDENTITY_SECOND_FACTOR_INVALID'),
  },
  // Options list A's own passkeys only (none here): nothing of B's.
  'POST /api/v1/sessions/current/step-up/passkey-options': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: `/api/v1/sessions/current/step-up/passkey-options?user=${b.owner.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
    ],
    verify: (responses) => {
      expectStatus(responses, 200)
      const allowed = responses[0]?.json().options.allowCredentials
      if (!Array.isArray(allowed) || allowed.length !== 0) throw new Error('not A alone')
    },
  },
  'POST /api/v1/sessions/current/step-up': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: '/api/v1/sessions/current/step-up',
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        payload: { password: `${b.password}-wrong` },
      },
      {
        method: 'POST',
        url: '/api/v1/sessions/current/step-up',
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        payload: { password: a.password },
      },
    ],
    verify: (responses) => {
      expectStatus(responses.slice(0, 1), 403, 'IDENTITY_STEP_UP_FAILED')
      expectStatus(responses.slice(1), 200)
    },
  },
  'GET /api/v1/tenant/mfa-policy': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: `/api/v1/tenant/mfa-policy?tenant=${b.tenant.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
    ],
    verify: (responses) => expectStatus(responses, 200),
  },
  // A's policy changes; B's stays as it was (the harness compares B's rows).
  'PUT /api/v1/tenant/mfa-policy': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'PUT',
        url: `/api/v1/tenant/mfa-policy?tenant=${b.tenant.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        payload: { policy: 'all' },
      },
      {
        method: 'PUT',
        url: '/api/v1/tenant/mfa-policy',
        headers: a.bearer.authorization,
        payload: { policy: 'admins', tenantId: b.tenant.id },
      },
    ],
    verify: (responses) => {
      expectStatus(responses.slice(0, 1), 200)
      expectStatus(responses.slice(1), 400, 'REQUEST_INVALID')
    },
  },
  // IAM-8: A reads and replaces its own allowlist only; B's list is untouched.
  'GET /api/v1/tenant/ip-allowlist': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: `/api/v1/tenant/ip-allowlist?tenant=${b.tenant.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
    ],
    verify: (responses) => {
      expectStatus(responses, 200)
      if (responses[0]?.json().entries.length !== 0) throw new Error('not A alone')
    },
  },
  'PUT /api/v1/tenant/ip-allowlist': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'PUT',
        url: `/api/v1/tenant/ip-allowlist?tenant=${b.tenant.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        payload: { entries: [] },
      },
      {
        method: 'PUT',
        url: '/api/v1/tenant/ip-allowlist',
        headers: a.bearer.authorization,
        payload: { entries: [{ cidr: '0.0.0.0/0' }], tenantId: b.tenant.id },
      },
    ],
    verify: (responses) => {
      expectStatus(responses.slice(0, 1), 200)
      expectStatus(responses.slice(1), 400, 'REQUEST_INVALID')
    },
  },
  'DELETE /api/v1/users/:userId/mfa': {
    kind: 'tenant',
    requests: ({ a, b }) =>
      [b.owner.id, b.tenant.id, b.bearer.sessionId].map((id) => ({
        method: 'DELETE' as const,
        url: `/api/v1/users/${id}/mfa`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      })),
    verify: (responses) => expectStatus(responses, 404, 'MFA_USER_NOT_FOUND'),
  },

  // IAM-6: A's change request names B's ids and B's address; only A's own account gets a link.
  'POST /api/v1/me/email': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: `/api/v1/me/email?user=${b.owner.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        payload: { email: `moved-${a.tenant.slug}@elsewhere.example` },
      },
      {
        method: 'POST',
        url: '/api/v1/me/email',
        headers: a.bearer.authorization,
        payload: { email: b.owner.email, userId: b.owner.id },
      },
    ],
    verify: (responses) => {
      expectStatus(responses.slice(0, 1), 202)
      expectStatus(responses.slice(1), 400, 'REQUEST_INVALID')
    },
  },
  'POST /api/v1/me/email/verification': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: `/api/v1/me/email/verification?user=${b.owner.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
    ],
    verify: (responses) => expectStatus(responses, 202),
  },
  // B's session token and CSRF token offered as verification tokens find nothing.
  'POST /api/v1/email-verification': {
    kind: 'tenant',
    requests: ({ b }) =>
      [b.bearer.token, b.cookie.csrf, b.tenant.id].map((token) => ({
        method: 'POST' as const,
        url: '/api/v1/email-verification',
        headers: { 'x-tenant-id': b.tenant.id },
        payload: { token },
      })),
    verify: (responses) => expectStatus(responses, 400, 'IDENTITY_EMAIL_TOKEN_INVALID'),
  },

  'DELETE /api/v1/sessions/current': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      // A's credentials with B's session and tenant ids alongside: only A's session may end.
      {
        method: 'DELETE',
        url: `/api/v1/sessions/current?id=${b.bearer.sessionId}&tenant=${b.tenant.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
    ],
  },

  'GET /api/v1/me': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: `/api/v1/me?tenant=${b.tenant.id}&user=${b.owner.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
      {
        method: 'GET',
        url: '/api/v1/me',
        cookies: a.cookie.cookies,
        headers: { 'x-tenant-id': b.tenant.id },
      },
    ],
    verify: (responses, { a }) => {
      for (const r of responses) {
        if (r.statusCode === 200 && r.json().tenant.id !== a.tenant.id) {
          throw new Error('GET /api/v1/me answered with another tenant')
        }
      }
    },
  },

  // IAM-6: sessions and devices. A names B's tenant, users and sessions; only A's own sessions are
  // ever listed or revoked, and B's ids get the same 404 as ids that never existed.
  'GET /api/v1/me/sessions': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: '/api/v1/me/sessions',
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
      { method: 'GET', url: '/api/v1/me/sessions', cookies: a.cookie.cookies },
    ],
    verify: (responses, { a }) => {
      expectStatus(responses, 200)
      for (const r of responses) {
        const ids = (r.json().sessions as { id: string }[]).map((s) => s.id)
        if (!ids.includes(a.bearer.sessionId)) throw new Error(`A's own session missing: ${r.body}`)
      }
    },
  },
  'DELETE /api/v1/me/sessions/:id': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      ...idsOfB(b).map((id) => ({
        method: 'DELETE' as const,
        url: `/api/v1/me/sessions/${id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      })),
      {
        method: 'DELETE',
        url: `/api/v1/me/sessions/${b.bearer.sessionId}`,
        cookies: a.cookie.cookies,
        headers: { 'x-csrf-token': a.cookie.csrf },
      },
    ],
    verify: (responses) => expectStatus(responses, 404, 'IDENTITY_SESSION_NOT_FOUND'),
  },
  'DELETE /api/v1/me/sessions': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'DELETE',
        url: `/api/v1/me/sessions?others=true&tenant=${b.tenant.id}`,
        headers: a.bearer.authorization,
      },
      {
        method: 'DELETE',
        url: '/api/v1/me/sessions?others=true',
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
    ],
    verify: (responses) => {
      // An unknown query parameter is refused; with B in a header, only A's cookie session ends.
      expectStatus(responses.slice(0, 1), 400, 'REQUEST_INVALID')
      expectStatus(responses.slice(1), 200)
      if (responses[1]?.json().revoked !== 1)
        throw new Error("expected A's one other session revoked")
    },
  },
  'GET /api/v1/users/:userId/sessions': {
    kind: 'tenant',
    requests: ({ a, b }) =>
      idsOfB(b).map((id) => ({
        method: 'GET' as const,
        url: `/api/v1/users/${id}/sessions`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      })),
    verify: (responses) => expectStatus(responses, 404, 'IDENTITY_USER_NOT_FOUND'),
  },
  'DELETE /api/v1/users/:userId/sessions': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      ...idsOfB(b).map((id) => ({
        method: 'DELETE' as const,
        url: `/api/v1/users/${id}/sessions`,
        headers: a.bearer.authorization,
      })),
      {
        method: 'DELETE',
        url: `/api/v1/users/${b.owner.id}/sessions`,
        cookies: a.cookie.cookies,
        headers: { 'x-csrf-token': a.cookie.csrf, 'x-tenant-id': b.tenant.id },
      },
    ],
    verify: (responses) => expectStatus(responses, 404, 'IDENTITY_USER_NOT_FOUND'),
  },
  'DELETE /api/v1/users/:userId/sessions/:id': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'DELETE',
        url: `/api/v1/users/${b.owner.id}/sessions/${b.bearer.sessionId}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
      // A's own user with B's session: the session is not A's user's.
      {
        method: 'DELETE',
        url: `/api/v1/users/${a.owner.id}/sessions/${b.bearer.sessionId}`,
        headers: a.bearer.authorization,
      },
    ],
    verify: (responses) => {
      expectStatus(responses.slice(0, 1), 404, 'IDENTITY_USER_NOT_FOUND')
      expectStatus(responses.slice(1), 404, 'IDENTITY_SESSION_NOT_FOUND')
    },
  },
  'POST /api/v1/me/password': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: '/api/v1/me/password',
        headers: a.bearer.authorization,
        payload: {
          currentPassword: a.password,
          newPassword: 'tundra-Lantern-58-gravely-Comet',
          userId: b.owner.id,
        },
      },
      // B in a header: A's own password changes, B's hash and sessions stay as they were.
      {
        method: 'POST',
        url: '/api/v1/me/password',
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        payload: { currentPassword: a.password, newPassword: 'tundra-Lantern-58-gravely-Comet' },
      },
    ],
    verify: (responses) => {
      expectStatus(responses.slice(0, 1), 400, 'REQUEST_INVALID')
      expectStatus(responses.slice(1), 200)
    },
  },

  // IAM-2: password reset. Both routes are public: A's session changes nothing. A asks for a reset
  // in B's organisation with A's own address (B's log may record the refusal), names B's tenant in
  // bodies and headers, and offers B's session token as a reset token.
  'POST /api/v1/password-reset': {
    kind: 'tenant',
    recordsFailuresInB: true,
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: '/api/v1/password-reset',
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        payload: { tenant: b.tenant.slug, email: a.owner.email },
      },
      {
        method: 'POST',
        url: '/api/v1/password-reset',
        cookies: a.cookie.cookies,
        payload: { tenant: a.tenant.slug, email: a.owner.email, tenantId: b.tenant.id },
      },
    ],
    verify: (responses) => {
      expectStatus(responses.slice(0, 1), 202)
      expectStatus(responses.slice(1), 400, 'REQUEST_INVALID')
    },
  },
  'POST /api/v1/password-reset/confirm': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: '/api/v1/password-reset/confirm',
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        payload: { token: b.bearer.token, newPassword: 'velvet-Harbour-71-quietly-Orbit-2' },
      },
      {
        method: 'POST',
        url: '/api/v1/password-reset/confirm',
        headers: a.bearer.authorization,
        payload: { token: b.bearer.token, newPassword: 'x', userId: b.owner.id },
      },
    ],
    verify: (responses) => {
      expectStatus(responses.slice(0, 1), 400, 'IDENTITY_RESET_TOKEN_INVALID')
      expectStatus(responses.slice(1), 400, 'REQUEST_INVALID')
    },
  },

  'GET /api/v1/audit/events': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: `/api/v1/audit/events?actor=${b.owner.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
      {
        method: 'GET',
        url: `/api/v1/audit/events?target=${b.tenant.id}`,
        headers: a.bearer.authorization,
      },
      { method: 'GET', url: '/api/v1/audit/events?limit=500', cookies: a.cookie.cookies },
    ],
    verify: ([byActor, byTarget, all]) => {
      for (const r of [byActor, byTarget]) {
        if (r?.statusCode !== 200 || r.json().events.length !== 0) {
          throw new Error(`expected an empty page, got ${r?.statusCode} ${r?.body}`)
        }
      }
      if (all?.statusCode !== 200 || all.json().events.length === 0)
        throw new Error('A saw none of its own')
    },
  },
  'GET /api/v1/audit/export': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: `/api/v1/audit/export?actor=${b.owner.id}`,
        headers: a.bearer.authorization,
      },
      { method: 'GET', url: '/api/v1/audit/export?format=csv', headers: a.bearer.authorization },
    ],
  },
  'GET /api/v1/audit/checkpoint': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: `/api/v1/audit/checkpoint?tenant=${b.tenant.id}`,
        headers: a.bearer.authorization,
      },
    ],
  },
  'GET /api/v1/audit/events/:index/proof': {
    kind: 'tenant',
    // B's leaf indexes are the same numbers as A's: A must get its own entries, never B's.
    requests: ({ a }) =>
      [0, 1, 2].map((index) => ({
        method: 'GET' as const,
        url: `/api/v1/audit/events/${index}/proof`,
        headers: a.bearer.authorization,
      })),
  },
  'GET /api/v1/audit/consistency': {
    kind: 'tenant',
    requests: ({ a }) => [
      {
        method: 'GET',
        url: '/api/v1/audit/consistency?first=1&second=2',
        headers: a.bearer.authorization,
      },
    ],
  },

  // KMS-3: the credentials vault. A's requests name B's tenant in headers and bodies and B's ids
  // as credential ids; only A's own vault is ever touched.
  'POST /api/v1/credentials': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: '/api/v1/credentials',
        headers: a.bearer.authorization,
        payload: { name: 'Takeover', kind: 'api_key', secret: { key: 'k' }, tenantId: b.tenant.id },
      },
      {
        method: 'POST',
        url: `/api/v1/credentials?tenant=${b.tenant.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        payload: { name: 'Into B by bearer?', kind: 'api_key', secret: { key: 'k' } },
      },
      {
        method: 'POST',
        url: '/api/v1/credentials',
        cookies: a.cookie.cookies,
        headers: { 'x-csrf-token': a.cookie.csrf, 'x-tenant-id': b.tenant.id },
        payload: { name: 'Into B by cookie?', kind: 'api_key', secret: { key: 'k' } },
      },
    ],
    verify: (responses) => {
      // B's tenant id in the body is an unknown field; in the query and headers it is ignored
      // and the credential lands in A's own vault.
      expectStatus(responses.slice(0, 1), 400, 'REQUEST_INVALID')
      expectStatus(responses.slice(1), 201)
    },
  },
  'GET /api/v1/credentials': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: '/api/v1/credentials',
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
      { method: 'GET', url: '/api/v1/credentials?limit=200', cookies: a.cookie.cookies },
    ],
    verify: (responses) => {
      expectStatus(responses, 200)
      for (const r of responses) {
        if (r.json().credentials.length !== 0) throw new Error(`A saw credentials: ${r.body}`)
      }
    },
  },
  'GET /api/v1/credentials/:id': {
    kind: 'tenant',
    requests: ({ a, b }) =>
      idsOfB(b).map((id) => ({
        method: 'GET' as const,
        url: `/api/v1/credentials/${id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      })),
    verify: (responses) => expectStatus(responses, 404, 'VAULT_CREDENTIAL_NOT_FOUND'),
  },
  'PUT /api/v1/credentials/:id/secret': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      ...idsOfB(b).map((id) => ({
        method: 'PUT' as const,
        url: `/api/v1/credentials/${id}/secret`,
        headers: a.bearer.authorization,
        payload: { secret: { key: 'overwritten' } },
      })),
      {
        method: 'PUT',
        url: `/api/v1/credentials/${b.tenant.id}/secret`,
        cookies: a.cookie.cookies,
        headers: { 'x-csrf-token': a.cookie.csrf, 'x-tenant-id': b.tenant.id },
        payload: { secret: { key: 'overwritten' } },
      },
    ],
    verify: (responses) => expectStatus(responses, 404, 'VAULT_CREDENTIAL_NOT_FOUND'),
  },
  'DELETE /api/v1/credentials/:id': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      ...idsOfB(b).map((id) => ({
        method: 'DELETE' as const,
        url: `/api/v1/credentials/${id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      })),
      {
        method: 'DELETE',
        url: `/api/v1/credentials/${b.owner.id}`,
        cookies: a.cookie.cookies,
        headers: { 'x-csrf-token': a.cookie.csrf },
      },
    ],
    verify: (responses) => expectStatus(responses, 404, 'VAULT_CREDENTIAL_NOT_FOUND'),
  },

  // IAM-4: the caller's own second factors. A names B's tenant and user in the query, headers and
  // body; a body field is refused, everything else is ignored and only A's own factors change.
  'GET /api/v1/me/mfa': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: `/api/v1/me/mfa?user=${b.owner.id}&tenant=${b.tenant.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
      { method: 'GET', url: '/api/v1/me/mfa', cookies: a.cookie.cookies },
    ],
    verify: (responses) => {
      expectStatus(responses, 200)
      for (const r of responses) {
        if (
          JSON.stringify(r.json()) !==
          '{"totp":null,"recoveryCodes":{"remaining":0},"passkeys":{"count":0}}'
        ) {
          throw new Error(`A saw factors it does not have: ${r.body}`)
        }
      }
    },
  },
  'POST /api/v1/me/mfa/totp': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: '/api/v1/me/mfa/totp',
        headers: a.bearer.authorization,
        payload: { userId: b.owner.id, tenantId: b.tenant.id },
      },
      {
        method: 'POST',
        url: `/api/v1/me/mfa/totp?user=${b.owner.id}`,
        cookies: a.cookie.cookies,
        headers: { 'x-csrf-token': a.cookie.csrf, 'x-tenant-id': b.tenant.id },
      },
    ],
    verify: async (responses, { app, a }) => {
      expectStatus(responses.slice(0, 1), 400, 'REQUEST_INVALID')
      expectStatus(responses.slice(1), 201)
      const uri = decodeURIComponent(responses[1]?.json().otpauthUri)
      if (!uri.includes(a.owner.email)) throw new Error(`not A's enrolment: ${uri}`)
      const state = await app.inject({
        method: 'GET',
        url: '/api/v1/me/mfa',
        headers: a.bearer.authorization,
      })
      if (state.json().totp?.enabled !== false) throw new Error(`A has no pending: ${state.body}`)
    },
  },
  'POST /api/v1/me/mfa/totp/confirm': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: '/api/v1/me/mfa/totp/confirm',
        headers: a.bearer.authorization,
        payload: { code: '123456', userId: b.owner.id },
      },
      {
        method: 'POST',
        url: `/api/v1/me/mfa/totp/confirm?user=${b.owner.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        payload: { code: '123456' },
      },
    ],
    verify: (responses) => {
      expectStatus(responses.slice(0, 1), 400, 'REQUEST_INVALID')
      // A has nothing pending; B's state is not consulted.
      expectStatus(responses.slice(1), 409, 'MFA_TOTP_NOT_STARTED')
    },
  },
  'DELETE /api/v1/me/mfa/totp': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'DELETE',
        url: `/api/v1/me/mfa/totp?user=${b.owner.id}&tenant=${b.tenant.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
      {
        method: 'DELETE',
        url: '/api/v1/me/mfa/totp',
        cookies: a.cookie.cookies,
        headers: { 'x-csrf-token': a.cookie.csrf, 'x-user-id': b.owner.id },
      },
    ],
    verify: (responses) => expectStatus(responses, 404, 'MFA_TOTP_NOT_FOUND'),
  },
  'POST /api/v1/me/mfa/recovery-codes': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: '/api/v1/me/mfa/recovery-codes',
        headers: a.bearer.authorization,
        payload: { userId: b.owner.id },
      },
      {
        method: 'POST',
        url: `/api/v1/me/mfa/recovery-codes?user=${b.owner.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
    ],
    verify: async (responses, { app, a }) => {
      expectStatus(responses.slice(0, 1), 400, 'REQUEST_INVALID')
      expectStatus(responses.slice(1), 201)
      const state = await app.inject({
        method: 'GET',
        url: '/api/v1/me/mfa',
        headers: a.bearer.authorization,
      })
      if (state.json().recoveryCodes.remaining !== 10) throw new Error(`not A's: ${state.body}`)
    },
  },

  // IAM-4: passkeys. A names B's tenant and user in queries, headers and bodies and B's ids as
  // passkey ids; only A's own passkeys are listed, registered or removed.
  'GET /api/v1/me/mfa/passkeys': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: `/api/v1/me/mfa/passkeys?user=${b.owner.id}&tenant=${b.tenant.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
      { method: 'GET', url: '/api/v1/me/mfa/passkeys', cookies: a.cookie.cookies },
    ],
    verify: (responses) => {
      expectStatus(responses, 200)
      for (const r of responses) {
        if (r.json().passkeys.length !== 0) throw new Error(`A saw passkeys: ${r.body}`)
      }
    },
  },
  'POST /api/v1/me/mfa/passkeys/options': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: '/api/v1/me/mfa/passkeys/options',
        headers: a.bearer.authorization,
        payload: { userId: b.owner.id },
      },
      {
        method: 'POST',
        url: `/api/v1/me/mfa/passkeys/options?user=${b.owner.id}`,
        cookies: a.cookie.cookies,
        headers: { 'x-csrf-token': a.cookie.csrf, 'x-tenant-id': b.tenant.id },
      },
    ],
    verify: (responses, { a }) => {
      expectStatus(responses.slice(0, 1), 400, 'REQUEST_INVALID')
      expectStatus(responses.slice(1), 201)
      const handle = Buffer.from(a.owner.id.replaceAll('-', ''), 'hex').toString('base64url')
      if (responses[1]?.json().options.user.id !== handle) throw new Error('not A registering')
    },
  },
  'POST /api/v1/me/mfa/passkeys': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: '/api/v1/me/mfa/passkeys',
        headers: a.bearer.authorization,
        payload: { ...FAKE_REGISTRATION, userId: b.owner.id },
      },
      {
        method: 'POST',
        url: `/api/v1/me/mfa/passkeys?user=${b.owner.id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        payload: FAKE_REGISTRATION,
      },
    ],
    verify: (responses) => {
      expectStatus(responses.slice(0, 1), 400, 'REQUEST_INVALID')
      // A challenge A never got opens nowhere: not in A's organisation, and B's is not consulted.
      expectStatus(responses.slice(1), 422, 'MFA_PASSKEY_CHALLENGE_INVALID')
    },
  },
  'DELETE /api/v1/me/mfa/passkeys/:id': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      ...idsOfB(b).map((id) => ({
        method: 'DELETE' as const,
        url: `/api/v1/me/mfa/passkeys/${id}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      })),
      {
        method: 'DELETE',
        url: `/api/v1/me/mfa/passkeys/${b.owner.id}`,
        cookies: a.cookie.cookies,
        headers: { 'x-csrf-token': a.cookie.csrf },
      },
    ],
    verify: (responses) => expectStatus(responses, 404, 'MFA_PASSKEY_NOT_FOUND'),
  },
  // IAM-4: passwordless sign-in is public. Options for B's slug write nothing in B (challenges are
  // sealed, not stored); a sign-in attempt at B with a challenge B never issued is refused and
  // recorded in B's log as a failure.
  'POST /api/v1/sessions/passkey/options': {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: '/api/v1/sessions/passkey/options',
        headers: a.bearer.authorization,
        payload: { tenant: b.tenant.slug },
      },
      {
        method: 'POST',
        url: '/api/v1/sessions/passkey/options',
        cookies: a.cookie.cookies,
        headers: { 'x-csrf-token': a.cookie.csrf },
        payload: { tenant: a.tenant.slug, tenantId: b.tenant.id },
      },
    ],
    verify: (responses) => {
      expectStatus(responses.slice(0, 1), 200)
      expectStatus(responses.slice(1), 400, 'REQUEST_INVALID')
      if (responses[0]?.json().options.allowCredentials.length !== 0) {
        throw new Error(`credentials listed: ${responses[0]?.body}`)
      }
    },
  },
  'POST /api/v1/sessions/passkey': {
    kind: 'tenant',
    recordsFailuresInB: true,
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url: '/api/v1/sessions/passkey',
        headers: a.bearer.authorization,
        payload: { tenant: b.tenant.slug, ...FAKE_ASSERTION },
      },
      {
        method: 'POST',
        url: '/api/v1/sessions/passkey',
        cookies: a.cookie.cookies,
        payload: { tenant: a.tenant.slug, ...FAKE_ASSERTION, userId: b.owner.id },
      },
    ],
    verify: (responses) => {
      expectStatus(responses.slice(0, 1), 401, 'IDENTITY_INVALID_CREDENTIALS')
      expectStatus(responses.slice(1), 400, 'REQUEST_INVALID')
    },
  },
}
