// IAM-1, IAM-7: the organisation's users, invitations and ownership.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ServiceContext } from '../../context.ts'

export const memberRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  _app,
  _opts,
) => {}
