// IAM-1: invitation rows. An invitation is open until accepted or revoked; expiry is judged
// against the database clock, like every other token's.
import { sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { InvitationRow, NewInvitationRow } from './invitations.table.ts'
import type { UserRole } from './users.table.ts'

/** What the API shows of an invitation; never the token hash. */
export type InvitationView = Pick<
  InvitationRow,
  | 'id'
  | 'email'
  | 'email_normalized'
  | 'role'
  | 'invited_by'
  | 'created_at'
  | 'sent_at'
  | 'expires_at'
>

const VIEW_COLUMNS = [
  'id',
  'email',
  'email_normalized',
  'role',
  'invited_by',
  'created_at',
  'sent_at',
  'expires_at',
] as const

function open(trx: Trx, tenantId: string) {
  return trx
    .selectFrom('invitations')
    .select(VIEW_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
}

export async function findOpenInvitation(
  trx: Trx,
  tenantId: string,
  id: string,
): Promise<InvitationView | undefined> {
  return open(trx, tenantId).where('id', '=', id).executeTakeFirst()
}

export async function findOpenInvitationByEmail(
  trx: Trx,
  tenantId: string,
  emailNormalized: string,
): Promise<InvitationView | undefined> {
  return open(trx, tenantId).where('email_normalized', '=', emailNormalized).executeTakeFirst()
}

/** Open invitations (expired ones too, so they can be resent) by address, after a cursor. */
export async function listOpenInvitations(
  trx: Trx,
  tenantId: string,
  after: { email_normalized: string; id: string } | undefined,
  limit: number,
): Promise<InvitationView[]> {
  let query = open(trx, tenantId)
  if (after) {
    query = query.where((eb) =>
      eb(eb.refTuple('email_normalized', 'id'), '>', eb.tuple(after.email_normalized, after.id)),
    )
  }
  return query.orderBy('email_normalized').orderBy('id').limit(limit).execute()
}

/** Closes an address's lapsed open invitation, so that a new one may take its place. */
export async function closeLapsedInvitation(
  trx: Trx,
  tenantId: string,
  emailNormalized: string,
): Promise<void> {
  await trx
    .updateTable('invitations')
    .set({ revoked_at: sql<Date>`now()`, revoked_reason: 'expired' })
    .where('tenant_id', '=', tenantId)
    .where('email_normalized', '=', emailNormalized)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '<=', sql<Date>`now()`)
    .execute()
}

export async function insertInvitation(trx: Trx, row: NewInvitationRow): Promise<InvitationView> {
  return trx.insertInto('invitations').values(row).returning(VIEW_COLUMNS).executeTakeFirstOrThrow()
}

/** A new token for an open invitation: the old hash is overwritten, so the old link dies. */
export async function renewToken(
  trx: Trx,
  tenantId: string,
  id: string,
  tokenHash: string,
  expiresAt: Date,
): Promise<InvitationView | undefined> {
  return trx
    .updateTable('invitations')
    .set({ token_hash: tokenHash, expires_at: expiresAt, sent_at: sql<Date>`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returning(VIEW_COLUMNS)
    .executeTakeFirst()
}

export async function revokeInvitation(trx: Trx, tenantId: string, id: string): Promise<boolean> {
  const result = await trx
    .updateTable('invitations')
    .set({ revoked_at: sql<Date>`now()`, revoked_reason: 'revoked' })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export interface InvitationByToken {
  id: string
  email: string
  role: UserRole
  /** Null once the inviter's account is gone (ON DELETE SET NULL). */
  invited_by: string | null
  expires_at: Date
  tenant_name: string
  tenant_slug: string
}

/** The open, unexpired invitation a token belongs to, with its organisation's name and slug. */
export async function findInvitationByToken(
  trx: Trx,
  tenantId: string,
  tokenHash: string,
): Promise<InvitationByToken | undefined> {
  return trx
    .selectFrom('invitations as i')
    .innerJoin('tenants as t', 't.id', 'i.tenant_id')
    .select([
      'i.id',
      'i.email',
      'i.role',
      'i.invited_by',
      'i.expires_at',
      't.name as tenant_name',
      't.slug as tenant_slug',
    ])
    .where('i.tenant_id', '=', tenantId)
    .where('i.token_hash', '=', tokenHash)
    .where('i.accepted_at', 'is', null)
    .where('i.revoked_at', 'is', null)
    .where('i.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst()
}

/**
 * Marks the invitation accepted if it still is open, unexpired and its organisation active, in one
 * statement: of two acceptances racing with one token, exactly one gets the row back.
 */
export async function consumeInvitation(
  trx: Trx,
  tenantId: string,
  tokenHash: string,
): Promise<{ id: string; email: string; role: UserRole } | undefined> {
  return trx
    .updateTable('invitations')
    .set({ accepted_at: sql<Date>`now()` })
    .where('tenant_id', '=', tenantId)
    .where('token_hash', '=', tokenHash)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('tenants')
          .select('id')
          .where('id', '=', tenantId)
          .where('status', '=', 'active'),
      ),
    )
    .returning(['id', 'email', 'role'])
    .executeTakeFirst()
}

export async function setAcceptedUser(
  trx: Trx,
  tenantId: string,
  id: string,
  userId: string,
): Promise<void> {
  await trx
    .updateTable('invitations')
    .set({ accepted_user_id: userId })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute()
}
