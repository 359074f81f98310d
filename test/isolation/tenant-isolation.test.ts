// AUTHZ-5: no route lets tenant A read or change anything of tenant B, and every route is checked.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sequencePending } from '../../src/modules/audit/audit.service.ts'
import { createTestApp, signInBearer, signUp, type TestApp } from '../support/app.ts'
import { type IsolationContext, isolationCases, type Party } from './cases.ts'

let t: TestApp

async function party(): Promise<Party> {
  const who = await signUp(t.app)
  const bearer = await signInBearer(t.app, who)
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    payload: { tenant: who.tenant.slug, email: who.owner.email, password: who.password },
  })
  const token = res.cookies.find((c) => c.name === '__Host-rampart_session')?.value as string
  return {
    ...who,
    bearer,
    cookie: { cookies: { '__Host-rampart_session': token }, csrf: res.json().csrfToken },
  }
}

/** Every row that belongs to a tenant, across all tenant tables, for before/after comparison. */
async function snapshotOf(tenantId: string): Promise<Record<string, unknown[]>> {
  // Queued audit events first join their logs, so the comparison sees them as entries.
  await sequencePending(t.database.handle)
  const tables = await sql<{ table_name: string; column_name: string }>`
    SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = current_schema()
      AND ((table_name = 'tenants' AND column_name = 'id') OR column_name = 'tenant_id')
    ORDER BY table_name`.execute(t.database.handle.db)
  const snapshot: Record<string, unknown[]> = {}
  for (const { table_name, column_name } of tables.rows) {
    const { rows } = await sql<Record<string, unknown>>`
      SELECT * FROM ${sql.table(table_name)} WHERE ${sql.ref(column_name)} = ${tenantId}
      ORDER BY 1, 2`.execute(t.database.handle.db)
    // last_seen_at moves when B itself is checked for liveness; it is not B's data changing.
    snapshot[table_name] = rows.map(({ last_seen_at: _seen, ...row }) => row)
  }
  return snapshot
}

const AUDIT_TABLES = [
  'audit_entries',
  'audit_nodes',
  'audit_heads',
  'audit_checkpoints',
  'audit_queue',
]

/**
 * The snapshot without the audit tables. With `failuresMayRise`, the sign-in failure counters of
 * B's accounts are left out too: a refused attempt against B counts against B (IAM-3); the test
 * checks separately that they only rose and locked nothing.
 */
function withoutAudit(snapshot: Record<string, unknown[]>, failuresMayRise = false): string {
  return JSON.stringify(
    Object.entries(snapshot)
      .filter(([table]) => !AUDIT_TABLES.includes(table))
      .map(([table, rows]) =>
        failuresMayRise && table === 'sign_in_guards'
          ? [table, rows.map((row) => ({ ...(row as object), failures: undefined }))]
          : [table, rows],
      ),
  )
}

type GuardRow = { user_id: string; failures: number; locked_until: unknown }

/** IAM-3: B's failure counters may only have risen, by at most `attempts`, and none is locked. */
function expectFailuresOnlyRose(
  before: Record<string, unknown[]>,
  after: Record<string, unknown[]>,
  attempts: number,
): void {
  const was = new Map(
    ((before.sign_in_guards ?? []) as GuardRow[]).map((row) => [row.user_id, row.failures]),
  )
  for (const row of (after.sign_in_guards ?? []) as GuardRow[]) {
    const earlier = was.get(row.user_id) ?? 0
    expect(row.failures).toBeGreaterThanOrEqual(earlier)
    expect(row.failures - earlier).toBeLessThanOrEqual(attempts)
    expect(row.locked_until).toBeNull()
  }
}

function routeKeys(): string[] {
  const keys = new Set<string>()
  for (const { method, url } of t.app.routeTable) {
    keys.add(`${method === 'HEAD' ? 'GET' : method} ${url}`)
  }
  return [...keys].sort()
}

beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('tenant isolation over every route', () => {
  it('AUTHZ-5: every registered route has an isolation case, and every case a route', () => {
    const routes = routeKeys()
    const missing = routes.filter((key) => !(key in isolationCases))
    expect(missing, 'routes without an isolation case in test/isolation/cases.ts').toEqual([])
    const stale = Object.keys(isolationCases).filter((key) => !routes.includes(key))
    expect(stale, 'isolation cases for routes that no longer exist').toEqual([])
  })

  const tenantCases = Object.entries(isolationCases).filter(([, c]) => c.kind === 'tenant')
  it.each(tenantCases)(
    'AUTHZ-5: %s as tenant A with tenant B ids reads and changes nothing of B',
    async (_key, isolationCase) => {
      if (isolationCase.kind !== 'tenant') return
      // Fresh parties per route, so one case's sign-out cannot mask another's leak.
      const ctx: IsolationContext = { app: t.app, a: await party(), b: await party() }
      const before = await snapshotOf(ctx.b.tenant.id)
      const responses = []
      for (const request of isolationCase.requests(ctx)) responses.push(await t.app.inject(request))
      expect(responses.length).toBeGreaterThan(0)

      const secretsOfB = [
        ctx.b.tenant.id,
        ctx.b.owner.id,
        ctx.b.owner.email,
        ctx.b.bearer.token,
        ctx.b.bearer.sessionId,
        ctx.b.cookie.csrf,
      ]
      for (const res of responses) {
        expect(res.statusCode, res.body).toBeLessThan(500)
        const seen = `${res.body}\n${JSON.stringify(res.headers)}`
        for (const secret of secretsOfB) expect(seen).not.toContain(secret)
      }
      await isolationCase.verify?.(responses, ctx)

      const after = await snapshotOf(ctx.b.tenant.id)
      const failuresMayRise = isolationCase.recordsFailuresInB === true
      expect(withoutAudit(after, failuresMayRise)).toBe(withoutAudit(before, failuresMayRise))
      if (failuresMayRise) expectFailuresOnlyRose(before, after, responses.length)
      const entriesBefore = (before.audit_entries ?? []) as { event: string }[]
      const entriesAfter = (after.audit_entries ?? []) as { event: string }[]
      // Whatever was in B's log is untouched; anything new is a recorded refusal, if allowed.
      expect(JSON.stringify(entriesAfter.slice(0, entriesBefore.length))).toBe(
        JSON.stringify(entriesBefore),
      )
      const added = entriesAfter.slice(entriesBefore.length).map((e) => JSON.parse(e.event))
      if (!isolationCase.recordsFailuresInB) expect(added).toEqual([])
      for (const event of added) expect(event.outcome).toBe('failure')
      const stillB = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: ctx.b.bearer.authorization,
      })
      expect(stillB.statusCode).toBe(200)
      expect(stillB.json().tenant.id).toBe(ctx.b.tenant.id)
    },
  )
})
