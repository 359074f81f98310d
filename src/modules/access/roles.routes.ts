// AUTHZ-1: the five roles and what each allows, read from the one catalogue in permissions.ts so
// the console's matrix can never drift from what the guards check. The same for every
// organisation; reading it needs users.read like the other "who may do what" reads.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServiceContext } from '../../context.ts'
import { errorResponses } from '../../http/errors.ts'
import { requireSession } from '../../http/session-auth.ts'
import { ALL_PERMISSIONS, PERMISSIONS, ROLE_PERMISSIONS, ROLES } from './permissions.ts'

const RoleCatalogue = Type.Object({
  roles: Type.Array(
    Type.Object({
      name: Type.String(),
      permissions: Type.Array(Type.String(), { description: 'In catalogue order' }),
    }),
    { description: 'owner, admin, member, viewer, auditor' },
  ),
  permissions: Type.Array(Type.Object({ name: Type.String(), description: Type.String() }), {
    description: 'Every permission, in catalogue order',
  }),
})

/** Built once: the catalogue is static for the life of the process. */
const CATALOGUE = {
  roles: ROLES.map((name) => ({
    name,
    permissions: ALL_PERMISSIONS.filter((p) => ROLE_PERMISSIONS[name].has(p)),
  })),
  permissions: ALL_PERMISSIONS.map((name) => ({ name, description: PERMISSIONS[name] })),
}

export const roleRoutes: FastifyPluginAsyncTypebox<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  app.get(
    '/api/v1/roles',
    {
      preValidation: requireSession(ctx, { permission: 'users.read' }),
      schema: {
        tags: ['users'],
        summary:
          'The roles and the permissions each holds (AUTHZ-1), with what each permission allows',
        response: { 200: RoleCatalogue, ...errorResponses(401, 403) },
      },
    },
    async () => CATALOGUE,
  )
}
