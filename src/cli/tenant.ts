// `rampart tenant create|list|shred`: the provider's own tenant administration.
import { randomBytes } from 'node:crypto'
import type { Config } from '../config/config.ts'
import { SYSTEM_META } from '../context.ts'
import { KmsError } from '../crypto/errors.ts'
import { KeyProviderError } from '../crypto/key-provider.ts'
import { withKeyServices } from '../crypto/key-services.ts'
import { KeyStoreError } from '../crypto/key-store.ts'
import type { DatabaseHandle } from '../db/connection.ts'
import { AppError } from '../http/errors.ts'
import { findTenantBySlug } from '../modules/tenants/tenant-deletion.repository.ts'
import {
  cancelTenantDeletion,
  completeDueDeletions,
  type DeletionContext,
  dueDeletions,
  requestTenantDeletion,
} from '../modules/tenants/tenant-deletion.service.ts'
import { listAllTenants } from '../modules/tenants/tenants.repository.ts'
import { signUp } from '../modules/tenants/tenants.service.ts'
import type { TenantRow } from '../modules/tenants/tenants.table.ts'
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
          tenants.map((t) => ({
            id: t.id,
            slug: t.slug,
            name: t.name,
            region: t.region,
            status: t.status,
            createdAt: t.created_at,
            // KMS-5: when a deletion was asked for, falls due, and was done.
            deletionRequestedAt: t.deletion_requested_at,
            deletionDueAt: t.deletion_due_at,
            deletedAt: t.deleted_at,
          })),
        ),
      )
      return 0
    }
    if (tenants.length === 0) io.out('no tenants')
    for (const t of tenants) {
      const due = t.deletion_due_at?.toISOString() ?? '-'
      io.out(`${t.slug}\t${t.id}\t${t.region}\t${t.status}\t${due}\t${t.name}`)
    }
    return 0
  } finally {
    await db.close()
  }
}

const DURATION = /^(\d{1,9})(s|m|h|d|w)$/
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const
const MAX_DELAY_MS = 365 * 86_400_000

/** `0`, or a whole number with a unit: `90s`, `30m`, `12h`, `7d`, `2w` (at most 365 days). */
export function parseDelay(text: string): number | null {
  if (text === '0') return 0
  const match = DURATION.exec(text)
  if (!match) return null
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]
  return ms <= MAX_DELAY_MS ? ms : null
}

export interface TenantShredOptions {
  delay?: string
  cancel?: boolean
  due?: boolean
  dryRun?: boolean
}

/** Checks the combination of slug and options; returns what is wrong, or null. */
function shredUsageError(slug: string | undefined, options: TenantShredOptions): string | null {
  if (options.due) {
    if (slug) return '--due completes every due deletion: give no slug'
    if (options.cancel || options.delay !== undefined) return '--due takes no --cancel or --delay'
    return null
  }
  if (!slug) return 'name the tenant to shred, or give --due'
  if (options.dryRun) return '--dry-run goes with --due'
  if (options.cancel && options.delay !== undefined) return '--cancel takes no --delay'
  if (options.delay !== undefined && parseDelay(options.delay) === null) {
    return '--delay must be 0 or a whole number with a unit s, m, h, d or w (at most 365d), like 7d'
  }
  return null
}

/**
 * KMS-5, DATA-4: `rampart tenant shred <slug> [--delay 7d]` locks the tenant until its deletion
 * is due; `--cancel` gives it back; `--due` completes every deletion whose delay has passed (key
 * shredded, rows deleted, tombstone kept). Run `--due` daily, like `keys backup`.
 */
export async function tenantShred(
  config: Config,
  slug: string | undefined,
  options: TenantShredOptions,
  io: CliIo,
): Promise<number> {
  const usage = shredUsageError(slug, options)
  if (usage) {
    io.err(usage)
    return 1
  }
  return withOperatorDatabase(config, io, (db) =>
    withKeyServices(config.keys, (keys) =>
      shredAction({ config, db, keys: keys.keyring }, slug, options, io),
    ),
  )
}

/**
 * The operator commands' way in: opens the database as owner with its schema ready, runs
 * `action`, closes it. Known errors (a service's AppError, a key-service error) are printed and
 * exit 1; anything else is a bug and is thrown.
 */
export async function withOperatorDatabase(
  config: Config,
  io: CliIo,
  action: (db: DatabaseHandle) => Promise<number>,
): Promise<number> {
  const db = await openConfiguredDatabase(config, 'owner')
  try {
    await prepareSchema(config, db)
    return await action(db)
  } catch (err) {
    if (err instanceof AppError) {
      io.err(`error ${err.code}: ${err.message}`)
      return 1
    }
    if (
      err instanceof KmsError ||
      err instanceof KeyProviderError ||
      err instanceof KeyStoreError
    ) {
      io.err(`${err.reason}: ${err.message}`)
      return 1
    }
    throw err
  } finally {
    await db.close()
  }
}

/** The tenant with `slug`, or null once the operator has been told there is none. */
export async function operatorTenant(
  db: DatabaseHandle,
  slug: string,
  io: CliIo,
): Promise<TenantRow | null> {
  const tenant = await findTenantBySlug(db.db, slug)
  if (!tenant) io.err(`no tenant with slug ${slug}`)
  return tenant ?? null
}

async function shredAction(
  ctx: DeletionContext,
  slug: string | undefined,
  options: TenantShredOptions,
  io: CliIo,
): Promise<number> {
  if (options.due) {
    if (options.dryRun) {
      const due = await dueDeletions(ctx)
      for (const t of due) {
        io.out(`would delete ${t.slug} (${t.id}), due ${t.deletion_due_at?.toISOString()}`)
      }
      io.out(`${due.length} deletion(s) due`)
      return 0
    }
    const done = await completeDueDeletions(ctx, SYSTEM_META, {
      onDone: (d) =>
        io.out(
          `${d.slug} (${d.tenantId}): ${d.keyVersionsDestroyed} key version(s) destroyed, ${d.rowsDeleted} row(s) deleted from ${d.tables} table(s); terminated`,
        ),
    })
    io.out(`${done.length} deletion(s) completed`)
    return 0
  }
  const tenant = await operatorTenant(ctx.db, slug as string, io)
  if (!tenant) return 1
  if (options.cancel) {
    const back = await cancelTenantDeletion(ctx, tenant.id, SYSTEM_META)
    io.out(`${tenant.slug}: deletion cancelled; the organisation is ${back.status} again`)
    return 0
  }
  const delayMs = options.delay === undefined ? undefined : (parseDelay(options.delay) as number)
  const pending = await requestTenantDeletion(
    ctx,
    tenant.id,
    delayMs === undefined ? {} : { delayMs },
    SYSTEM_META,
  )
  io.out(
    `${tenant.slug}: pending deletion, due ${pending.deletion_due_at?.toISOString()}; nobody can sign in to it now`,
  )
  io.out(
    `cancel before then with: rampart tenant shred ${tenant.slug} --cancel; complete with: rampart tenant shred --due`,
  )
  return 0
}
