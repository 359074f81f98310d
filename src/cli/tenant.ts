// `rampart tenant create|list`: the provider's own tenant administration.
import { randomBytes } from 'node:crypto'
import type { Config } from '../config/config.ts'
import { SYSTEM_META } from '../context.ts'
import { withKeyServices } from '../crypto/key-services.ts'
import { AppError } from '../http/errors.ts'
import { listAllTenants } from '../modules/tenants/tenants.repository.ts'
import { signUp } from '../modules/tenants/tenants.service.ts'
import { openConfiguredDatabase, prepareSchema } from '../server.ts'
import type { CliIo } from './io.ts'

export interface TenantCreateOptions {
  slug: string
  name: string
  ownerEmail: string
  region?: string
  passwordStdin?: boolean
}

export async function tenantCreate(
  config: Config,
  options: TenantCreateOptions,
  io: CliIo,
): Promise<number> {
  const generated = !options.passwordStdin
  const password = generated
    ? randomBytes(18).toString('base64url')
    : (await io.readStdin()).replace(/\r?\n$/, '')
  const db = await openConfiguredDatabase(config, 'owner')
  try {
    await prepareSchema(config, db)
    const { tenant, owner } = await withKeyServices(config.keys, (keys) =>
      signUp(
        { config, db, keys: keys.keyring },
        {
          organisationName: options.name,
          slug: options.slug,
          region: options.region,
          ownerEmail: options.ownerEmail,
          ownerPassword: password,
        },
        SYSTEM_META,
        'system',
      ),
    )
    io.out(`created tenant ${tenant.slug} (${tenant.id}) in region ${tenant.region}`)
    io.out(`owner ${owner.email} (${owner.id})`)
    // Printed once and never stored in clear: the owner should change it after signing in.
    if (generated) io.out(`owner password: ${password}`)
    return 0
  } catch (err) {
    if (err instanceof AppError) {
      io.err(`error ${err.code}: ${err.message}`)
      return 1
    }
    throw err
  } finally {
    await db.close()
  }
}

export async function tenantList(
  config: Config,
  options: { json?: boolean },
  io: CliIo,
): Promise<number> {
  const db = await openConfiguredDatabase(config, 'owner')
  try {
    await prepareSchema(config, db)
    const tenants = await listAllTenants(db.db)
    if (options.json) {
      io.out(
        JSON.stringify(
          tenants.map(({ id, slug, name, region, status, created_at }) => ({
            id,
            slug,
            name,
            region,
            status,
            createdAt: created_at,
          })),
        ),
      )
      return 0
    }
    if (tenants.length === 0) io.out('no tenants')
    for (const t of tenants) {
      io.out(`${t.slug}\t${t.id}\t${t.region}\t${t.status}\t${t.name}`)
    }
    return 0
  } finally {
    await db.close()
  }
}
