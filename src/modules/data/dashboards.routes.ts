// DATA-1, AUTHZ-2: dashboards. Creating and deleting need data.manage; reading needs
// dashboards.read and a view grant, changing dashboards.write and an edit grant (data.manage
// reaches every dashboard). The guard checks the permission before the body is validated.
// docs/dashboards.md describes the widget model, suppression and the error codes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import { SingleLineText } from '../../http/schemas.ts'
import { principalOf, requestMeta, requireSession } from '../../http/session-auth.ts'
import {
  changeDashboard,
  createDashboard,
  dashboardAccess,
  dashboardResults,
  getDashboard,
  listDashboards,
  MAX_DESCRIPTION_LENGTH,
  MAX_NAME_LENGTH,
  removeDashboard,
} from './dashboards.service.ts'
import {
  CREATED_AT,
  MAX_LAST_DAYS,
  MAX_MIN_GROUP_SIZE,
  MAX_TITLE_LENGTH,
  MAX_WIDGETS,
} from './dashboards.widgets.ts'

const Uuid = Type.String({ format: 'uuid' })
const NullableUuid = Type.Union([Uuid, Type.Null()])
const Time = Type.String({ format: 'date-time' })
const FieldKey = (description: string) => Type.String({ minLength: 1, maxLength: 63, description })
const CalendarDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' })

const Widget = Type.Object(
  {
    title: SingleLineText({ minLength: 1, maxLength: MAX_TITLE_LENGTH * 2 }),
    collectionId: Uuid,
    aggregate: Type.Union(
      [
        Type.Literal('count'),
        Type.Literal('sum'),
        Type.Literal('avg'),
        Type.Literal('min'),
        Type.Literal('max'),
      ],
      { description: 'count records, or sum, avg, min or max of a number field' },
    ),
    field: Type.Optional(FieldKey('sum, avg, min, max: a number field')),
    groupBy: Type.Optional(FieldKey('A public or internal text, enum, boolean or date field')),
    interval: Type.Optional(
      Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], {
        description: 'Groups by day, week (from Monday) or month of timeField, in UTC',
      }),
    ),
    timeField: Type.Optional(
      FieldKey(`A date field, or ${CREATED_AT} (the default), for interval and range`),
    ),
    range: Type.Optional(
      Type.Object(
        {
          lastDays: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LAST_DAYS })),
          from: Type.Optional(CalendarDate),
          to: Type.Optional(CalendarDate),
        },
        {
          additionalProperties: false,
          description: 'The last N days (today included), or from and/or to (inclusive), UTC',
        },
      ),
    ),
    minGroupSize: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_MIN_GROUP_SIZE,
        description: "A stricter threshold than the deployment's; never a lower one",
      }),
    ),
  },
  { additionalProperties: false },
)

const Dashboard = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  refreshSeconds: Type.Integer(),
  version: Type.Integer(),
  widgets: Type.Array(Widget),
  createdBy: NullableUuid,
  createdAt: Time,
  updatedBy: NullableUuid,
  updatedAt: Time,
})

const DashboardSummary = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  widgetCount: Type.Integer(),
  updatedAt: Time,
})

const NullableText = Type.Union([Type.String(), Type.Null()])

const WidgetResult = Type.Object({
  index: Type.Integer(),
  title: Type.String(),
  collectionId: Uuid,
  collectionName: NullableText,
  aggregate: Type.String(),
  field: NullableText,
  groupBy: NullableText,
  interval: NullableText,
  threshold: Type.Integer(),
  status: Type.Union([Type.Literal('ok'), Type.Literal('error')]),
  error: Type.Optional(
    Type.Object({
      code: Type.String(),
      message: Type.String(),
      field: Type.Optional(Type.String()),
    }),
  ),
  value: Type.Optional(
    Type.Union([Type.Number(), Type.Null()], {
      description: 'Ungrouped widgets: the figure; null when suppressed',
    }),
  ),
  groups: Type.Optional(
    Type.Array(
      Type.Object({
        period: Type.Optional(NullableText),
        label: Type.Optional(NullableText),
        value: Type.Number(),
      }),
    ),
  ),
  suppressed: Type.Optional(
    Type.Integer({ description: 'Groups left out for being computed from too few records' }),
  ),
  omitted: Type.Optional(Type.Integer({ description: 'Groups left out by the cap of 100' })),
})

export const DashboardResults = Type.Object({
  dashboardId: Uuid,
  name: Type.String(),
  refreshSeconds: Type.Integer(),
  generatedAt: Time,
  widgets: Type.Array(WidgetResult),
})

const Name = SingleLineText({
  minLength: 1,
  maxLength: MAX_NAME_LENGTH * 2,
  description: `1 to ${MAX_NAME_LENGTH} characters once trimmed`,
})
const Description = Type.Union(
  [Type.String({ maxLength: MAX_DESCRIPTION_LENGTH * 2 }), Type.Null()],
  { description: `At most ${MAX_DESCRIPTION_LENGTH} characters; null or empty for none` },
)
const RefreshSeconds = Type.Integer({
  minimum: 30,
  maximum: 86_400,
  description: 'How often a kiosk page of the dashboard reloads itself (default 300)',
})

const DashboardBody = {
  name: Name,
  description: Type.Optional(Description),
  refreshSeconds: Type.Optional(RefreshSeconds),
  widgets: Type.Array(Widget, { maxItems: MAX_WIDGETS }),
}

const DashboardParams = Type.Object({ dashboardId: Uuid })

export const dashboardRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  const manage = requireSession(ctx, { permission: 'data.manage' })
  const read = requireSession(ctx, { permission: 'dashboards.read' })
  const write = requireSession(ctx, { permission: 'dashboards.write' })
  const tags = ['dashboards']

  app.post(
    '/api/v1/dashboards',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Create a dashboard; every widget is checked against its collection',
        body: Type.Object(DashboardBody, { additionalProperties: false }),
        response: { 201: Dashboard, ...errorResponses(400, 401, 403, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const dashboard = await createDashboard(
        ctx,
        principalOf(request),
        request.body,
        requestMeta(request),
      )
      return reply.status(201).send(dashboard)
    },
  )

  app.get(
    '/api/v1/dashboards',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'The dashboards I may view (all of them with data.manage), by name',
        response: {
          200: Type.Object({ dashboards: Type.Array(DashboardSummary) }),
          ...errorResponses(401, 403),
        },
      },
    },
    async (request) => ({ dashboards: await listDashboards(ctx, principalOf(request)) }),
  )

  app.get(
    '/api/v1/dashboards/:dashboardId',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'One dashboard and its widget definitions',
        params: DashboardParams,
        response: { 200: Dashboard, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => getDashboard(ctx, principalOf(request), request.params.dashboardId),
  )

  app.put(
    '/api/v1/dashboards/:dashboardId',
    {
      preValidation: write,
      schema: {
        tags,
        summary:
          "Replace a dashboard's name, description, refresh and widgets (edit grant; every widget's collection must be viewable by you)",
        params: DashboardParams,
        body: Type.Object(
          {
            ...DashboardBody,
            expectedVersion: Type.Optional(
              Type.Integer({ minimum: 1, description: 'Refused with 409 when stale' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Dashboard, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request) =>
      changeDashboard(
        ctx,
        principalOf(request),
        request.params.dashboardId,
        request.body,
        requestMeta(request),
      ),
  )

  app.delete(
    '/api/v1/dashboards/:dashboardId',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Delete a dashboard, its grants and its place on kiosk links',
        params: DashboardParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await removeDashboard(
        ctx,
        principalOf(request),
        request.params.dashboardId,
        requestMeta(request),
      )
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/api/v1/dashboards/:dashboardId/access',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'What I may do with the dashboard: view (else 404), and edit (dashboards.write and an edit grant, or data.manage)',
        params: DashboardParams,
        response: {
          200: Type.Object({ view: Type.Literal(true), edit: Type.Boolean() }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => dashboardAccess(ctx, principalOf(request), request.params.dashboardId),
  )

  app.get(
    '/api/v1/dashboards/:dashboardId/data',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          "The dashboard's results, computed now, small groups suppressed (the dashboard's view grant is enough)",
        params: DashboardParams,
        response: { 200: DashboardResults, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const results = await dashboardResults(ctx, principalOf(request), request.params.dashboardId)
      return reply.header('cache-control', 'no-store').send(results)
    },
  )
}
