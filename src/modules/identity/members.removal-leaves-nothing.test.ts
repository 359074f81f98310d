// IAM-1: removing a user takes everything that hangs on them: no row of any table still names
// them (sessions, devices, failure counters, second factors, tokens, group memberships, ownership
// offers), while what belongs to the organisation (a credential they stored, an invitation they
// sent) stays, its creator forgotten. Every foreign key to users says what happens on removal.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signUp } from '../../../test/support/app.ts'
import {
  addUser,
  call,
  createMembersTestApp,
  type MembersTestApp,
  ownerOf,
} from './members.test-support.ts'

let t: MembersTestApp
beforeAll(async () => {
  t = await createMembersTestApp()
})
afterAll(() => t.close())

interface UserReference {
  table_name: string
  column_name: string
  on_delete: string
}

/**
 * Every foreign-key column that points at users.id (alone or with the tenant id), with its
 * ON DELETE action.
 */
async function referencesToUsers(): Promise<UserReference[]> {
  const { rows } = await sql<UserReference>`
    SELECT c.conrelid::regclass::text AS table_name, a.attname AS column_name,
           c.confdeltype AS on_delete
    FROM pg_constraint c
    JOIN pg_attribute u ON u.attrelid = c.confrelid AND u.attname = 'id'
    JOIN pg_attribute a ON a.attrelid = c.conrelid
      AND a.attnum = c.conkey[array_position(c.confkey, u.attnum)]
    WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass
    ORDER BY 1, 2`.execute(t.database.handle.db)
  return rows
}

async function rowsNaming(userId: string): Promise<Record<string, number>> {
  const found: Record<string, number> = {}
  for (const ref of await referencesToUsers()) {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM ${sql.table(ref.table_name)}
      WHERE ${sql.ref(ref.column_name)} = ${userId}`.execute(t.database.handle.db)
    found[`${ref.table_name}.${ref.column_name}`] = rows[0]?.n ?? 0
  }
  return found
}

describe('IAM-1 removal leaves nothing of the user behind', () => {
  it('IAM-1: every foreign key to users cascades or sets null, so removal can neither fail nor leave rows', async () => {
    const refs = await referencesToUsers()
    expect(refs.length).toBeGreaterThan(10)
    const blocking = refs.filter((r) => r.on_delete !== 'c' && r.on_delete !== 'n')
    expect(blocking).toEqual([])
  })

  it('IAM-1: a removed admin leaves no row naming them; the organisation keeps its credential and invitation', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const admin = await addUser(t, org, 'admin')
    const db = t.database.handle.db
    // What an admin's ordinary use leaves behind.
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { tenant: org.tenant.slug, email: admin.email, password: 'wrong-Password-000' },
    })
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { tenant: org.tenant.slug, email: admin.email, password: org.password },
    })
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/password-reset',
      payload: { tenant: org.tenant.slug, email: admin.email },
    })
    expect((await call(t, admin.session, 'POST', '/api/v1/me/email/verification')).statusCode).toBe(
      202,
    )
    expect((await call(t, admin.session, 'POST', '/api/v1/me/mfa/totp')).statusCode).toBe(201)
    const credential = await call(t, admin.session, 'POST', '/api/v1/credentials', {
      name: 'CRM',
      kind: 'api_key',
      secret: { key: 'sk_test_1' },
    })
    expect(credential.statusCode, credential.body).toBe(201)
    const invitation = await call(t, admin.session, 'POST', '/api/v1/invitations', {
      email: `friend@${org.tenant.slug}.example`,
      role: 'member',
    })
    expect(invitation.statusCode).toBe(201)
    expect(
      (
        await call(t, owner.session, 'POST', '/api/v1/tenant/ownership-transfers', {
          toUserId: admin.id,
        })
      ).statusCode,
    ).toBe(201)
    const groupId = crypto.randomUUID()
    await db
      .insertInto('groups')
      .values({
        id: groupId,
        tenant_id: org.tenant.id,
        name: 'Ops',
        name_normalized: 'ops',
        description: null,
        created_by: admin.id,
      })
      .execute()
    await db
      .insertInto('group_members')
      .values({
        tenant_id: org.tenant.id,
        group_id: groupId,
        user_id: admin.id,
        added_by: admin.id,
      })
      .execute()
    await db
      .insertInto('mfa_recovery_codes')
      .values({
        id: crypto.randomUUID(),
        tenant_id: org.tenant.id,
        user_id: admin.id,
        code_hash: new Uint8Array(32),
      })
      .execute()
    const before = await rowsNaming(admin.id)
    const named = Object.entries(before)
      .filter(([, n]) => n > 0)
      .map(([k]) => k)
    expect(named).toEqual(
      expect.arrayContaining([
        'sessions.user_id',
        'known_devices.user_id',
        'sign_in_guards.user_id',
        'password_reset_tokens.user_id',
        'email_verification_tokens.user_id',
        'mfa_totp.user_id',
        'mfa_recovery_codes.user_id',
        'credentials.created_by',
        'invitations.invited_by',
        'ownership_transfers.to_user_id',
        'groups.created_by',
        'group_members.user_id',
      ]),
    )

    const res = await call(t, owner.session, 'DELETE', `/api/v1/users/${admin.id}`)
    expect(res.statusCode, res.body).toBe(204)
    const after = await rowsNaming(admin.id)
    expect(Object.entries(after).filter(([, n]) => n > 0)).toEqual([])
    const users = await db.selectFrom('users').select('id').where('id', '=', admin.id).execute()
    expect(users).toEqual([])
    // The organisation's own things stay.
    const kept = await call(t, owner.session, 'GET', `/api/v1/credentials/${credential.json().id}`)
    expect(kept.statusCode).toBe(200)
    const open = await call(t, owner.session, 'GET', '/api/v1/invitations')
    expect(open.json().invitations).toMatchObject([{ id: invitation.json().id, invitedBy: null }])
    const group = await db
      .selectFrom('groups')
      .select('created_by')
      .where('id', '=', groupId)
      .executeTakeFirst()
    expect(group).toEqual({ created_by: null })
  })
})
