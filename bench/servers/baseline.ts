// The baseline: a bare Fastify server (no plugins, no hooks, no schemas, no logger) answering
// GET /api/v1/me with the database work of Rampart's authenticate() + findPrincipal() written by
// hand on its own pg.Pool of the same size. The round trips are the same as Rampart's:
//   BEGIN
//   SELECT set_config('role', …), set_config('rampart.tenant_id', rampart_tenant_by_session(…))
//   SELECT session ⋈ user ⋈ tenant by token hash (under row-level security)
//   [UPDATE sessions … only when Rampart would: timeouts, or last_seen_at older than a minute]
//   COMMIT
// and the reply is the same JSON. What it leaves out is everything Rampart layers on top: its
// hooks (helmet, CORS, cross-site check, rate limit, metrics), schema validation and
// serialization, the error handler and Kysely's query building.
import { createHash } from 'node:crypto'
import Fastify, { type FastifyReply } from 'fastify'
import pg from 'pg'
import { APP_ROLE, POOL_SIZE } from '../support/postgres.ts'
import { announce, main, requireEnv } from './lifecycle.ts'

// Rampart's defaults (IAM-6): idle 30 minutes; last_seen_at written at most once a minute.
const IDLE_TIMEOUT_MS = 30 * 60 * 1000
const TOUCH_INTERVAL_MS = 60_000

const BEARER = /^Bearer ([^\s]+)$/i
const SESSION_TOKEN = /^[A-Za-z0-9_-]{43}$/

const ENTER_TENANT = `SELECT set_config('role', $1, true),
  set_config('rampart.tenant_id', coalesce(rampart_tenant_by_session($2)::text, ''), true) AS tenant_id`

const FIND_PRINCIPAL = `SELECT s.id AS session_id, s.tenant_id, s.user_id, s.expires_at, s.last_seen_at,
  s.scope, s.authenticated_at,
  u.email, u.email_verified_at, u.role, u.status AS user_status,
  t.slug AS tenant_slug, t.name AS tenant_name, t.region AS tenant_region, t.status AS tenant_status,
  ARRAY(SELECT a.cidr FROM ip_allowlist_entries a WHERE a.tenant_id = s.tenant_id) AS ip_allowlist
FROM sessions AS s
INNER JOIN users AS u ON u.id = s.user_id AND u.tenant_id = s.tenant_id
INNER JOIN tenants AS t ON t.id = s.tenant_id
WHERE s.tenant_id = $1 AND s.token_hash = $2 AND s.revoked_at IS NULL`

const REVOKE = `UPDATE sessions SET revoked_at = $1, revoked_reason = $2
WHERE tenant_id = $3 AND id = $4 AND revoked_at IS NULL`

const TOUCH = 'UPDATE sessions SET last_seen_at = now() WHERE tenant_id = $1 AND id = $2'

interface PrincipalRow {
  session_id: string
  tenant_id: string
  user_id: string
  expires_at: Date
  last_seen_at: Date
  scope: string
  authenticated_at: Date
  email: string
  email_verified_at: Date | null
  role: string
  user_status: string
  tenant_slug: string
  tenant_name: string
  tenant_region: string
  tenant_status: string
  ip_allowlist: string[]
}

interface Me {
  user: { id: string; email: string; emailVerified: boolean; role: string }
  tenant: { id: string; slug: string; name: string; region: string }
  session: { id: string; expiresAt: string; scope: string; authenticatedAt: string }
}

async function lookUp(pool: pg.Pool, tokenHash: string): Promise<Me | null> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const entered = await client.query<{ tenant_id: string }>(ENTER_TENANT, [APP_ROLE, tokenHash])
    const tenantId = entered.rows[0]?.tenant_id
    let me: Me | null = null
    if (tenantId) {
      const found = await client.query<PrincipalRow>(FIND_PRINCIPAL, [tenantId, tokenHash])
      const row = found.rows[0]
      // The bench organisation has no IP allowlist, as Rampart then checks nothing more either.
      if (
        row &&
        row.user_status === 'active' &&
        row.tenant_status === 'active' &&
        row.ip_allowlist.length === 0
      ) {
        const now = Date.now()
        if (row.expires_at.getTime() <= now) {
          await client.query(REVOKE, [new Date(), 'absolute-timeout', tenantId, row.session_id])
        } else if (row.last_seen_at.getTime() + IDLE_TIMEOUT_MS <= now) {
          await client.query(REVOKE, [new Date(), 'idle-timeout', tenantId, row.session_id])
        } else {
          if (now - row.last_seen_at.getTime() >= TOUCH_INTERVAL_MS) {
            await client.query(TOUCH, [tenantId, row.session_id])
          }
          me = {
            user: {
              id: row.user_id,
              email: row.email,
              emailVerified: row.email_verified_at !== null,
              role: row.role,
            },
            tenant: {
              id: tenantId,
              slug: row.tenant_slug,
              name: row.tenant_name,
              region: row.tenant_region,
            },
            session: {
              id: row.session_id,
              expiresAt: row.expires_at.toISOString(),
              scope: row.scope,
              authenticatedAt: row.authenticated_at.toISOString(),
            },
          }
        }
      }
    }
    await client.query('COMMIT')
    client.release()
    return me
  } catch (err) {
    // A connection that cannot even roll back is destroyed rather than returned to the pool.
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    )
    client.release(rolledBack ? undefined : true)
    throw err
  }
}

function unauthorized(reply: FastifyReply): FastifyReply {
  return reply.code(401).send({
    error: { code: 'AUTH_REQUIRED', message: 'The session is missing, expired or revoked' },
  })
}

main(async () => {
  const pool = new pg.Pool({
    connectionString: requireEnv('BENCH_DATABASE_URL'),
    max: POOL_SIZE,
    connectionTimeoutMillis: 5_000,
  })
  pool.on('error', () => undefined)
  const app = Fastify({ logger: false })
  app.get('/api/v1/me', async (request, reply) => {
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1]
    if (!token || !SESSION_TOKEN.test(token)) return unauthorized(reply)
    const me = await lookUp(pool, createHash('sha256').update(token).digest('hex'))
    return me ?? unauthorized(reply)
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  announce(address.port, async () => {
    await app.close()
    await pool.end()
  })
})
