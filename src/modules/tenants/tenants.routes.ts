// POST /api/v1/signup: an organisation and its owner (IAM-1, IAM-2, DATA-6).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import { SingleLineText } from '../../http/schemas.ts'
import { requestMeta } from '../../http/session-auth.ts'
import { signUp } from './tenants.service.ts'

const SignUpBody = Type.Object(
  {
    organisationName: SingleLineText({ minLength: 1, maxLength: 200 }),
    slug: Type.String({
      minLength: 3,
      maxLength: 63,
      pattern: '^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$',
      description: 'Lower-case letters, digits and inner hyphens; used at sign-in',
    }),
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9-]+$' })),
    ownerEmail: Type.String({ format: 'email', maxLength: 254 }),
    ownerPassword: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
)

const SignUpReply = Type.Object({
  tenant: Type.Object({
    id: Type.String({ format: 'uuid' }),
    slug: Type.String(),
    name: Type.String(),
    region: Type.String(),
  }),
  owner: Type.Object({
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    role: Type.String(),
  }),
})

export const tenantRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  app.post(
    '/api/v1/signup',
    {
      schema: {
        tags: ['tenants'],
        summary: 'Sign up an organisation and its owner',
        body: SignUpBody,
        response: { 201: SignUpReply, ...errorResponses(400, 409, 413, 415, 422, 429) },
      },
      config: {
        rateLimit: {
          max: ctx.config.rateLimit.signUpMax,
          timeWindow: ctx.config.rateLimit.windowMs,
        },
      },
    },
    async (request, reply) => {
      const { tenant, owner } = await signUp(ctx, request.body, requestMeta(request))
      return reply.status(201).send({
        tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name, region: tenant.region },
        owner: { id: owner.id, email: owner.email, role: owner.role },
      })
    },
  )
}
