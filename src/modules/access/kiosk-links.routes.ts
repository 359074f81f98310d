// AUTHZ-3: kiosk links. Holders of data.manage create, list, read and revoke them; the token is
// in the create response only (Cache-Control: no-store). The public side needs no sign-in: the
// page at /kiosk/:token, the same results as JSON at /api/v1/kiosk/:token, and the page's
// stylesheet. Public answers are never stored by caches and send no Referer onwards; refusals
// for too many failed guesses carry Retry-After. docs/kiosk-links.md describes the routes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { AppError, errorResponses, HttpErrors } from '../../http/errors.ts'
import { DigitString, parseDigits, SingleLineText } from '../../http/schemas.ts'
import { principalOf, requestMeta, requireSession } from '../../http/session-auth.ts'
import { DashboardResults } from '../data/dashboards.routes.ts'
import {
  KIOSK_STYLESHEET,
  KIOSK_STYLESHEET_PATH,
  kioskErrorPage,
  kioskPage,
} from './kiosk-links.page.ts'
import {
  createKioskLink,
  getKioskLink,
  listKioskLinks,
  MAX_DASHBOARDS_PER_LINK,
  MAX_LINK_CIDRS,
  MAX_LINK_NAME_LENGTH,
  MAX_LIST_LIMIT,
  revokeKioskLink,
  viewKiosk,
} from './kiosk-links.service.ts'

const Uuid = Type.String({ format: 'uuid' })
const Time = Type.String({ format: 'date-time' })
const NullableTime = Type.Union([Time, Type.Null()])

const KioskLink = Type.Object({
  id: Uuid,
  name: Type.String(),
  prefix: Type.String({ description: '`kl_` and the next 8 characters of the token' }),
  dashboardIds: Type.Array(Uuid, { description: 'The dashboards shown, in order' }),
  ipAllowlist: Type.Array(Type.String(), { description: 'Normalised CIDR ranges; empty: any' }),
  createdBy: Type.Union([Uuid, Type.Null()]),
  createdAt: Time,
  expiresAt: NullableTime,
  revokedAt: NullableTime,
  lastViewedAt: Type.Union([Time, Type.Null()], { description: 'Accurate to a minute' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
})

const KioskView = Type.Object({
  link: Type.Object({ id: Uuid, name: Type.String() }),
  refreshSeconds: Type.Integer(),
  generatedAt: Time,
  dashboards: Type.Array(DashboardResults),
})

const LinkParams = Type.Object({ linkId: Uuid })
// Any text: a malformed token is a failed guess like any other, counted rather than refused
// by the schema.
const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 128 }) })

/** Public answers: never cached (the URL is the secret), no Referer sent from the page. */
function publicHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-robots-tag', 'noindex, nofollow')
}

/** Sets Retry-After on a throttled or blocked refusal. */
function withRetryAfter(reply: FastifyReply, err: unknown): void {
  const details = err instanceof AppError ? (err.details as { retryAfterSeconds?: unknown }) : null
  if (typeof details?.retryAfterSeconds === 'number') {
    reply.header('retry-after', String(details.retryAfterSeconds))
  }
}

export const kioskLinkRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  const manage = requireSession(ctx, { permission: 'data.manage' })
  const tags = ['kiosk links']

  app.post(
    '/api/v1/kiosk-links',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Create a kiosk link to some dashboards; the token is in this response only',
        body: Type.Object(
          {
            name: SingleLineText({ minLength: 1, maxLength: MAX_LINK_NAME_LENGTH * 2 }),
            dashboardIds: Type.Array(Uuid, { minItems: 1, maxItems: MAX_DASHBOARDS_PER_LINK }),
            expiresAt: Type.Optional(
              Type.String({ format: 'date-time', description: 'Optional; at most 5 years ahead' }),
            ),
            ipAllowlist: Type.Optional(
              Type.Array(Type.String({ maxLength: 64 }), {
                maxItems: MAX_LINK_CIDRS,
                description: 'IPv4 and IPv6 addresses or CIDR ranges; empty or absent: any',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            kioskLink: KioskLink,
            token: Type.String({ description: 'Shown once' }),
            url: Type.String({ description: 'The page to open on the kiosk screen' }),
          }),
          ...errorResponses(400, 401, 403, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const created = await createKioskLink(
        ctx,
        principalOf(request),
        request.body,
        requestMeta(request),
      )
      return reply.status(201).header('cache-control', 'no-store').send(created)
    },
  )

  app.get(
    '/api/v1/kiosk-links',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Kiosk links, newest first, revoked and expired ones included',
        querystring: Type.Object(
          {
            limit: Type.Optional(
              DigitString({ description: `1 to ${MAX_LIST_LIMIT}, default ${MAX_LIST_LIMIT}` }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ kioskLinks: Type.Array(KioskLink) }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const limit = parseDigits(request.query.limit) ?? MAX_LIST_LIMIT
      if (limit < 1 || limit > MAX_LIST_LIMIT) {
        throw HttpErrors.REQUEST_INVALID(`limit must be from 1 to ${MAX_LIST_LIMIT}`)
      }
      return { kioskLinks: await listKioskLinks(ctx, principalOf(request), limit) }
    },
  )

  app.get(
    '/api/v1/kiosk-links/:linkId',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'One kiosk link (never its token)',
        params: LinkParams,
        response: { 200: KioskLink, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => getKioskLink(ctx, principalOf(request), request.params.linkId),
  )

  app.delete(
    '/api/v1/kiosk-links/:linkId',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Revoke a kiosk link; it is refused from the next request on',
        params: LinkParams,
        response: { 200: KioskLink, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      revokeKioskLink(ctx, principalOf(request), request.params.linkId, requestMeta(request)),
  )

  app.get(
    '/api/v1/kiosk/:token',
    {
      schema: {
        tags,
        summary: "A kiosk link's dashboards' results, as JSON (public: the token is the key)",
        params: TokenParams,
        response: { 200: KioskView, ...errorResponses(400, 404, 429) },
      },
    },
    async (request, reply) => {
      publicHeaders(reply)
      try {
        return await viewKiosk(ctx, request.params.token, requestMeta(request))
      } catch (err) {
        withRetryAfter(reply, err)
        throw err
      }
    },
  )

  app.get(
    '/kiosk/:token',
    { schema: { hide: true, params: TokenParams } },
    async (request, reply) => {
      publicHeaders(reply)
      try {
        const view = await viewKiosk(ctx, request.params.token, requestMeta(request))
        return reply.type('text/html; charset=utf-8').send(kioskPage(view))
      } catch (err) {
        if (!(err instanceof AppError)) throw err
        withRetryAfter(reply, err)
        return reply
          .status(err.statusCode)
          .type('text/html; charset=utf-8')
          .send(kioskErrorPage(err.message))
      }
    },
  )

  app.get(KIOSK_STYLESHEET_PATH, { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(KIOSK_STYLESHEET),
  )
}
