// IAM-9: API keys.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ServiceContext } from '../../context.ts'

export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  _app,
  _opts,
) => {}
