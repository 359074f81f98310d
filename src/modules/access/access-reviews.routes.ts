// AUTHZ-4: access reviews.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ServiceContext } from '../../context.ts'

export const accessReviewRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  _app,
  _opts,
) => {}
