// AUTHZ-5: the application role sees no tenant rows outside withTenant, and inside it can neither
// read, change nor create rows of another tenant, whatever the query asks for.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabase, type TestDatabase } from '../../test/support/database.ts'
import type { DatabaseHandle } from './connection.ts'
import { withAppRole, withTenant } from './tenant.ts'

let t: TestDatabase
let db: DatabaseHandle
const A = randomUUID()
const B = randomUUID()
const userOfB = randomUUID()

async function seedTenant(id: string, userId: string) {
  await withTenant(db, id, async (trx) => {
    await trx
      .insertInto('tenants')
      .values({ id, slug: `t-${id}`, name: 'T', region: 'eu' })
      .execute()
    await trx
      .insertInto('users')
      .values({
        id: userId,
        tenant_id: id,
        email: `u@${id}.example`,
        email_normalized: `u@${id}.example`,
        password_hash: null,
        role: 'owner',
        last_sign_in_at: null,
      })
      .execute()
  })
}

beforeAll(async () => {
  t = await openTestDatabase()
  db = t.handle
  await seedTenant(A, randomUUID())
  await seedTenant(B, userOfB)
})
afterAll(() => t.dispose())

describe('row-level security as the application role', () => {
  it('AUTHZ-5: the application role is not a superuser and cannot bypass RLS', async () => {
    const { rows } = await sql<{ rolsuper: boolean; rolbypassrls: boolean }>`
      SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = ${db.appRole}`.execute(db.db)
    expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false }])
  })

  it('AUTHZ-5: every tenant table forces row-level security', async () => {
    const { rows } = await sql<{ relname: string; forced: boolean }>`
      SELECT relname, relrowsecurity AND relforcerowsecurity AS forced FROM pg_class
      WHERE relname IN ('tenants', 'users', 'sessions') ORDER BY relname`.execute(db.db)
    expect(rows).toEqual([
      { relname: 'sessions', forced: true },
      { relname: 'tenants', forced: true },
      { relname: 'users', forced: true },
    ])
  })

  it('AUTHZ-5: a query without withTenant sees no tenant rows', async () => {
    const counts = await withAppRole(db.db, db.appRole, async (trx) => {
      const { rows } = await sql<{ tenants: number; users: number; sessions: number }>`
        SELECT (SELECT count(*) FROM tenants)::int AS tenants,
               (SELECT count(*) FROM users)::int AS users,
               (SELECT count(*) FROM sessions)::int AS sessions`.execute(trx)
      return rows[0]
    })
    expect(counts).toEqual({ tenants: 0, users: 0, sessions: 0 })
  })

  it("AUTHZ-5: inside withTenant(A), asking for B's rows by id returns nothing", async () => {
    const seen = await withTenant(db, A, async (trx) => ({
      tenant: await trx.selectFrom('tenants').select('id').where('id', '=', B).execute(),
      user: await trx.selectFrom('users').select('id').where('id', '=', userOfB).execute(),
      all: await trx.selectFrom('users').select('tenant_id').execute(),
    }))
    expect(seen.tenant).toEqual([])
    expect(seen.user).toEqual([])
    expect(seen.all.every((u) => u.tenant_id === A)).toBe(true)
    expect(seen.all.length).toBeGreaterThan(0)
  })

  it('AUTHZ-5: inside withTenant(A), a row for tenant B cannot be inserted', async () => {
    const insert = withTenant(db, A, (trx) =>
      trx
        .insertInto('users')
        .values({
          id: randomUUID(),
          tenant_id: B,
          email: 'intruder@example.com',
          email_normalized: 'intruder@example.com',
          password_hash: null,
          role: 'owner',
          last_sign_in_at: null,
        })
        .execute(),
    )
    await expect(insert).rejects.toMatchObject({ code: '42501' })
    const count = await db.db
      .selectFrom('users')
      .select(db.db.fn.countAll<number>().as('n'))
      .where('email', '=', 'intruder@example.com')
      .executeTakeFirstOrThrow()
    expect(Number(count.n)).toBe(0)
  })

  it("AUTHZ-5: inside withTenant(A), B's rows can be neither updated, moved nor deleted", async () => {
    const result = await withTenant(db, A, async (trx) => ({
      updated: await trx
        .updateTable('users')
        .set({ role: 'viewer' })
        .where('id', '=', userOfB)
        .executeTakeFirst(),
      deleted: await trx.deleteFrom('users').where('id', '=', userOfB).executeTakeFirst(),
    }))
    expect(Number(result.updated.numUpdatedRows)).toBe(0)
    expect(Number(result.deleted.numDeletedRows)).toBe(0)
    // Moving one of A's own rows into B fails the policy's WITH CHECK.
    const move = withTenant(db, A, (trx) =>
      trx.updateTable('users').set({ tenant_id: B }).where('tenant_id', '=', A).execute(),
    )
    await expect(move).rejects.toMatchObject({ code: '42501' })
    const stillThere = await db.db
      .selectFrom('users')
      .select('role')
      .where('id', '=', userOfB)
      .executeTakeFirstOrThrow()
    expect(stillThere.role).toBe('owner')
  })

  it('AUTHZ-5: the application role cannot turn row-level security off', async () => {
    const attempt = withAppRole(db.db, db.appRole, (trx) =>
      sql`ALTER TABLE users NO FORCE ROW LEVEL SECURITY`.execute(trx),
    )
    await expect(attempt).rejects.toMatchObject({ code: '42501' })
  })

  it('AUTHZ-5: the role and tenant setting end with the transaction', async () => {
    await withTenant(db, A, async () => undefined)
    const { rows } = await sql<{ role: string; tenant: string | null }>`
      SELECT current_user AS role, nullif(current_setting('rampart.tenant_id', true), '') AS tenant`.execute(
      db.db,
    )
    expect(rows[0]?.role).not.toBe(db.appRole)
    expect(rows[0]?.tenant).toBeNull()
  })

  it('withTenant refuses anything but a uuid', async () => {
    await expect(withTenant(db, "x' OR true --", async () => 1)).rejects.toThrow(TypeError)
  })
})
