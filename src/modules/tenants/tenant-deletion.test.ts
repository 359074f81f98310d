// KMS-5, DATA-4: a tenant pending deletion is locked (no sign-in, no session works) until it is
// cancelled, which gives it back as it was, or completed, which shreds its key, deletes its rows
// from every tenant table but the audit logs, and leaves a nameless tombstone holding its slug.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import { SYSTEM_META } from '../../context.ts'
import { sequencePending } from '../audit/audit.service.ts'
import { PLATFORM_LOG } from '../audit/events.ts'
import { useCredential } from '../vault/vault.service.ts'
import { createVaultTestApp, type VaultTestApp } from '../vault/vault.test-support.ts'
import { tenantTableGraph } from './tenant-deletion.repository.ts'
import {
  cancelTenantDeletion,
  completeDueDeletions,
  deletionOrder,
  dueDeletions,
  KEPT_TABLES,
  requestTenantDeletion,
} from './tenant-deletion.service.ts'

let t: VaultTestApp

beforeAll(async () => {
  t = await createVaultTestApp()
})
afterAll(() => t.close())

interface Org {
  org: SignedUp
  owner: SignedIn
  credentialId: string
}

async function organisation(): Promise<Org> {
  const org = await signUp(t.app)
  const owner = await signInBearer(t.app, org)
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/credentials',
    headers: owner.authorization,
    payload: { name: 'smtp', kind: 'api_key', secret: { key: `secret-of-${org.tenant.slug}` } },
  })
  if (res.statusCode !== 201) throw new Error(`store failed: ${res.statusCode} ${res.body}`)
  return { org, owner, credentialId: res.json().id }
}

function me(who: SignedIn) {
  return t.app.inject({ method: 'GET', url: '/api/v1/me', headers: who.authorization })
}

function signIn(who: SignedUp) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    payload: {
      tenant: who.tenant.slug,
      email: who.owner.email,
      password: who.password,
      mode: 'bearer',
    },
  })
}

async function tenantRow(id: string) {
  return t.database.handle.db
    .selectFrom('tenants')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
}

/** A log's events as stored, oldest first, after sequencing what is queued. */
async function eventsIn(log: string): Promise<string[]> {
  await sequencePending(t.database.handle)
  const rows = await t.database.handle.db
    .selectFrom('audit_entries')
    .select('event')
    .where('tenant_id', '=', log)
    .orderBy('idx')
    .execute()
  return rows.map((r) => r.event)
}

/** Actions of a log's events about `targetId`, oldest first. */
async function actionsIn(log: string, targetId: string): Promise<string[]> {
  return (await eventsIn(log))
    .map((text) => JSON.parse(text) as { action: string; target?: { id?: string } })
    .filter((e) => e.target?.id === targetId)
    .map((e) => e.action)
}

/** Rows of the tenant in each table that holds any, on the owner connection. */
async function rowsPerTable(tenantId: string): Promise<Record<string, number>> {
  const { rows } = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
    WHERE n.nspname = current_schema() AND c.relkind = 'r'`.execute(t.database.handle.db)
  const counts: Record<string, number> = {}
  for (const { name } of rows) {
    const { rows: n } = await sql<{ n: string | number }>`
      SELECT count(*) AS n FROM ${sql.table(name)} WHERE tenant_id = ${tenantId}::uuid`.execute(
      t.database.handle.db,
    )
    if (Number(n[0]?.n) > 0) counts[name] = Number(n[0]?.n)
  }
  return counts
}

describe('tenant deletion lifecycle', () => {
  it('KMS-5: pending locks the tenant out, cancel gives it back, due completes it', async () => {
    const a = await organisation()
    const b = await organisation()
    expect((await me(a.owner)).statusCode).toBe(200)

    const pending = await requestTenantDeletion(t.ctx, a.org.tenant.id, {}, SYSTEM_META)
    expect(pending.status).toBe('pending_deletion')
    expect(pending.status_before_deletion).toBe('active')
    const requested = pending.deletion_requested_at?.getTime() ?? 0
    expect(Math.abs(requested - Date.now())).toBeLessThan(10_000)
    // The configured default: 7 days.
    expect((pending.deletion_due_at?.getTime() ?? 0) - requested).toBe(7 * 86_400_000)

    // Locked: the existing session stops working and nobody can sign in, with the usual 401.
    expect((await me(a.owner)).statusCode).toBe(401)
    const refused = await signIn(a.org)
    expect(refused.statusCode).toBe(401)
    expect(refused.json().error.code).toBe('IDENTITY_INVALID_CREDENTIALS')
    // Another tenant is untouched.
    expect((await me(b.owner)).statusCode).toBe(200)
    await expect(
      requestTenantDeletion(t.ctx, a.org.tenant.id, {}, SYSTEM_META),
    ).rejects.toMatchObject({ code: 'TENANT_DELETION_PENDING' })
    // Not due yet: the sweep leaves it alone.
    expect((await dueDeletions(t.ctx)).map((r) => r.id)).not.toContain(a.org.tenant.id)

    const back = await cancelTenantDeletion(t.ctx, a.org.tenant.id, SYSTEM_META)
    expect(back).toMatchObject({
      status: 'active',
      deletion_due_at: null,
      deletion_requested_at: null,
    })
    // Given back as it was: the session from before works again, and so does sign-in.
    expect((await me(a.owner)).statusCode).toBe(200)
    expect((await signIn(a.org)).statusCode).toBe(201)
    await expect(cancelTenantDeletion(t.ctx, a.org.tenant.id, SYSTEM_META)).rejects.toMatchObject({
      code: 'TENANT_DELETION_NOT_PENDING',
    })

    // Again, due at once this time, and completed.
    await requestTenantDeletion(t.ctx, a.org.tenant.id, { delayMs: 0 }, SYSTEM_META)
    expect(Object.keys(await rowsPerTable(a.org.tenant.id))).toEqual(
      expect.arrayContaining(['users', 'sessions', 'credentials']),
    )
    const done = await completeDueDeletions(t.ctx, SYSTEM_META)
    expect(done).toEqual([
      expect.objectContaining({
        tenantId: a.org.tenant.id,
        slug: a.org.tenant.slug,
        keyVersionsDestroyed: 1,
      }),
    ])
    expect(done[0]?.rowsDeleted).toBeGreaterThanOrEqual(3)

    // Only the audit log's rows remain; the tenant row is a tombstone without its name.
    const left = Object.keys(await rowsPerTable(a.org.tenant.id))
    expect(
      left.every((table) => KEPT_TABLES.has(table)),
      left.join(', '),
    ).toBe(true)
    const tombstone = await tenantRow(a.org.tenant.id)
    expect(tombstone).toMatchObject({ status: 'terminated', slug: a.org.tenant.slug, name: '' })
    expect(tombstone.deleted_at).toBeInstanceOf(Date)
    expect((await t.keys.keyring.status(a.org.tenant.id)).shreddedAt).toBeInstanceOf(Date)

    // Nothing of it works or comes back; its slug is not handed to anyone else.
    expect((await me(a.owner)).statusCode).toBe(401)
    expect((await signIn(a.org)).statusCode).toBe(401)
    await expect(
      useCredential(t.ctx, a.org.tenant.id, a.credentialId, 'test.use', async () => 1),
    ).rejects.toMatchObject({ code: 'VAULT_CREDENTIAL_NOT_FOUND' })
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/signup',
      payload: {
        organisationName: 'Squatter',
        slug: a.org.tenant.slug,
        ownerEmail: 'squatter@example.com',
        ownerPassword: a.org.password,
      },
    })
    expect(again.statusCode).toBe(409)
    expect(again.json().error.code).toBe('TENANT_SLUG_TAKEN')
    await expect(cancelTenantDeletion(t.ctx, a.org.tenant.id, SYSTEM_META)).rejects.toMatchObject({
      code: 'TENANT_TERMINATED',
    })
    await expect(
      requestTenantDeletion(t.ctx, a.org.tenant.id, {}, SYSTEM_META),
    ).rejects.toMatchObject({ code: 'TENANT_TERMINATED' })
    expect(await completeDueDeletions(t.ctx, SYSTEM_META)).toEqual([])

    // The other tenant still reads its own secret.
    expect(
      await useCredential(t.ctx, b.org.tenant.id, b.credentialId, 'test.use', async (s) => s),
    ).toEqual({ key: `secret-of-${b.org.tenant.slug}` })
    expect((await me(b.owner)).statusCode).toBe(200)

    // LOG-1: every step, in the platform's log and in the tenant's own (which stays).
    const steps = [
      'tenant_deletion.request',
      'tenant_deletion.cancel',
      'tenant_deletion.request',
      'key.shred',
      'tenant.delete',
    ]
    expect(await actionsIn(PLATFORM_LOG, a.org.tenant.id)).toEqual(steps)
    expect((await actionsIn(a.org.tenant.id, a.org.tenant.id)).slice(-steps.length)).toEqual(steps)
    // LOG-6: ids and codes only, no slug, name or address.
    const text = [...(await eventsIn(PLATFORM_LOG)), ...(await eventsIn(a.org.tenant.id))].join()
    for (const personal of [a.org.tenant.slug, a.org.tenant.name, a.org.owner.email]) {
      expect(text).not.toContain(personal)
    }
  })

  it('KMS-5: a deletion whose key is already shredded cannot be cancelled, only completed', async () => {
    const c = await organisation()
    await requestTenantDeletion(t.ctx, c.org.tenant.id, { delayMs: 60_000 }, SYSTEM_META)
    // As `rampart keys shred` run by hand, or a completion that stopped after the shred.
    await t.keys.keyring.shred(c.org.tenant.id)
    await expect(cancelTenantDeletion(t.ctx, c.org.tenant.id, SYSTEM_META)).rejects.toMatchObject({
      code: 'TENANT_DELETION_STARTED',
    })
    expect(await completeDueDeletions(t.ctx, SYSTEM_META)).toEqual([])
    const later = new Date(Date.now() + 120_000)
    const done = await completeDueDeletions(t.ctx, SYSTEM_META, { now: later })
    expect(done).toEqual([expect.objectContaining({ tenantId: c.org.tenant.id })])
    expect(done[0]?.keyVersionsDestroyed).toBe(0)
    expect((await tenantRow(c.org.tenant.id)).status).toBe('terminated')
  })

  it('deletes referencing tables before the tables they reference, and keeps the audit log', async () => {
    const order = await t.database.handle.db
      .transaction()
      .execute(async (trx) => deletionOrder(await tenantTableGraph(trx)))
    expect(order).toEqual(expect.arrayContaining(['users', 'sessions', 'credentials']))
    expect(order.indexOf('sessions')).toBeLessThan(order.indexOf('users'))
    expect(order.indexOf('credentials')).toBeLessThan(order.indexOf('users'))
    for (const kept of KEPT_TABLES) expect(order).not.toContain(kept)
    expect(() =>
      deletionOrder({
        tables: ['a', 'b'],
        references: [
          { child: 'a', parent: 'b' },
          { child: 'b', parent: 'a' },
        ],
      }),
    ).toThrow(/cycle among a, b/)
  })
})
