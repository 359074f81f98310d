// DATA-1, DATA-4: the data module's collections, records and recently-deleted routes, as one
// plugin for buildApp. Importing it registers the `collection` resource type (AUTHZ-2).
import type { FastifyPluginAsync } from 'fastify'
import type { ServiceContext } from '../../context.ts'
import { collectionRoutes } from './collections.routes.ts'
import { recentlyDeletedRoutes } from './recently-deleted.routes.ts'
import { recordRoutes } from './records.routes.ts'

export const dataRoutes: FastifyPluginAsync<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  await app.register(collectionRoutes, { ctx })
  await app.register(recordRoutes, { ctx })
  await app.register(recentlyDeletedRoutes, { ctx })
}
