// AUTHZ-2: groups, members and grants.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ServiceContext } from '../../context.ts'

export const groupRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  _app,
  _opts,
) => {}
