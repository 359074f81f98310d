// AUTHZ-4: access reviews. Reading and exporting need access_reviews.read (owners, admins,
// auditors); opening, deciding, completing and the schedule need access_reviews.manage.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { type TSchema, Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import { SingleLineText } from '../../http/schemas.ts'
import { principalOf, requestMeta, requireSession } from '../../http/session-auth.ts'
import { sensitiveChangeGuards } from '../identity/step-up.guard.ts'
import {
  completeReview,
  decide,
  exportReview,
  getAccessReview,
  getSchedule,
  INTERVAL_CEILING_DAYS,
  listAccessReviews,
  MAX_NOTE_LENGTH,
  MIN_INTERVAL_DAYS,
  openReview,
  setSchedule,
} from './access-reviews.service.ts'

const Uuid = Type.String({ format: 'uuid' })
const Time = Type.String({ format: 'date-time' })
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

const Schedule = Type.Object({
  intervalDays: Type.Integer({ description: 'The interval in force, in days' }),
  organisationIntervalDays: Nullable(
    Type.Integer({ description: 'The organisation’s own setting; null: the deployment’s' }),
  ),
  maxIntervalDays: Type.Integer({
    description: 'This deployment’s interval: the default, and the longest allowed',
  }),
  dueDays: Type.Integer({ description: 'Days an opened review has before it is overdue' }),
  lastOpenedAt: Nullable(Time),
  nextReviewAt: Nullable(Time),
  openReviewId: Nullable(Uuid),
})

const Review = Type.Object({
  id: Uuid,
  status: Type.Union([Type.Literal('open'), Type.Literal('completed')]),
  trigger: Type.Union([Type.Literal('manual'), Type.Literal('schedule')]),
  openedBy: Nullable(Uuid),
  openedAt: Time,
  dueAt: Time,
  overdue: Type.Boolean(),
  completedAt: Nullable(Time),
  completedBy: Nullable(Uuid),
  counts: Type.Object({
    users: Type.Integer(),
    kept: Type.Integer(),
    revoked: Type.Integer(),
    undecided: Type.Integer(),
  }),
})

const Decision = Type.Union([Type.Literal('keep'), Type.Literal('revoke')])

const Item = Type.Object({
  userId: Uuid,
  email: Type.String(),
  role: Type.String(),
  status: Type.String({ description: 'The account status when the review was opened' }),
  createdAt: Time,
  groups: Type.Array(Type.String()),
  lastSignInAt: Nullable(Time),
  mfa: Type.Object({
    enabled: Type.Boolean({ description: 'An authenticator app or a passkey is set up' }),
    totp: Type.Boolean(),
    passkeys: Type.Integer(),
    recoveryCodes: Type.Integer({ description: 'Unused recovery codes' }),
  }),
  devices: Type.Object({
    liveSessions: Type.Integer(),
    lastSeenAt: Nullable(Time),
    knownDevices: Type.Integer(),
    liveApiKeys: Type.Integer({ description: 'Unrevoked, unexpired API keys (IAM-9)' }),
  }),
  decision: Nullable(Decision),
  decidedBy: Nullable(Uuid),
  decidedAt: Nullable(Time),
  note: Nullable(Type.String()),
})

const ReviewParams = Type.Object({ reviewId: Uuid }, { additionalProperties: false })

export const accessReviewRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  const read = requireSession(ctx, { permission: 'access_reviews.read' })
  const manage = requireSession(ctx, { permission: 'access_reviews.manage' })

  app.get(
    '/api/v1/tenant/access-review-schedule',
    {
      preValidation: read,
      schema: {
        tags: ['access'],
        summary: 'How often the organisation’s access is reviewed, and when next',
        response: { 200: Schedule, ...errorResponses(401, 403) },
      },
    },
    async (request) => getSchedule(ctx, principalOf(request)),
  )

  app.put(
    '/api/v1/tenant/access-review-schedule',
    {
      // Lengthening the interval weakens a control: it needs a recent authentication (IAM-6).
      preValidation: sensitiveChangeGuards(ctx, { permission: 'access_reviews.manage' }),
      schema: {
        tags: ['access'],
        summary: `Set the review interval in days (${MIN_INTERVAL_DAYS} up to the deployment’s maximum, maxIntervalDays)`,
        body: Type.Object(
          {
            // The schema holds every deployment's bounds; the service this deployment's maximum
            // (422 ACCESS_REVIEW_INTERVAL_TOO_LONG), which is configuration, not schema.
            intervalDays: Type.Integer({
              minimum: MIN_INTERVAL_DAYS,
              maximum: INTERVAL_CEILING_DAYS,
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Schedule, ...errorResponses(400, 401, 403, 413, 415, 422) },
      },
    },
    async (request) =>
      setSchedule(ctx, principalOf(request), request.body.intervalDays, requestMeta(request)),
  )

  app.post(
    '/api/v1/access-reviews',
    {
      preValidation: manage,
      schema: {
        tags: ['access'],
        summary: 'Open an access review: a snapshot of every user, taken now',
        response: { 201: Review, ...errorResponses(401, 403, 409) },
      },
    },
    async (request, reply) => {
      const review = await openReview(ctx, principalOf(request), requestMeta(request))
      return reply.status(201).send(review)
    },
  )

  app.get(
    '/api/v1/access-reviews',
    {
      preValidation: read,
      schema: {
        tags: ['access'],
        summary: 'The organisation’s access reviews, newest first (at most 200)',
        response: {
          200: Type.Object({ reviews: Type.Array(Review) }),
          ...errorResponses(401, 403),
        },
      },
    },
    async (request) => ({ reviews: await listAccessReviews(ctx, principalOf(request)) }),
  )

  app.get(
    '/api/v1/access-reviews/:reviewId',
    {
      preValidation: read,
      schema: {
        tags: ['access'],
        summary: 'One access review with every user in it, as snapshotted, and the decisions',
        params: ReviewParams,
        response: {
          200: Type.Object({ review: Review, items: Type.Array(Item) }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => getAccessReview(ctx, principalOf(request), request.params.reviewId),
  )

  app.put(
    '/api/v1/access-reviews/:reviewId/items/:userId',
    {
      preValidation: manage,
      schema: {
        tags: ['access'],
        summary:
          'Keep or revoke one user; a revocation deactivates them and ends their sessions at once',
        params: Type.Object({ reviewId: Uuid, userId: Uuid }, { additionalProperties: false }),
        body: Type.Object(
          {
            decision: Decision,
            note: Type.Optional(SingleLineText({ maxLength: MAX_NOTE_LENGTH })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Item, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) =>
      decide(
        ctx,
        principalOf(request),
        request.params.reviewId,
        request.params.userId,
        request.body,
        requestMeta(request),
      ),
  )

  app.post(
    '/api/v1/access-reviews/:reviewId/complete',
    {
      preValidation: manage,
      schema: {
        tags: ['access'],
        summary: 'Complete a review once every user has a decision; it is then frozen as evidence',
        params: ReviewParams,
        response: { 200: Review, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      completeReview(ctx, principalOf(request), request.params.reviewId, requestMeta(request)),
  )

  app.get(
    '/api/v1/access-reviews/:reviewId/export',
    {
      preValidation: read,
      schema: {
        tags: ['access'],
        summary: 'A completed review as evidence: JSON (default) or CSV',
        params: ReviewParams,
        querystring: Type.Object(
          { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Unsafe<string>({
            type: 'string',
            description: 'docs/access-reviews.md describes both formats',
          }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const exported = await exportReview(
        ctx,
        principalOf(request),
        request.params.reviewId,
        request.query.format ?? 'json',
        requestMeta(request),
      )
      return reply
        .type(exported.contentType)
        .header('content-disposition', `attachment; filename="${exported.filename}"`)
        .send(exported.body)
    },
  )
}
