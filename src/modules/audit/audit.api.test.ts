// LOG-4: owners, admins and auditors page, filter and export their log, fetch the signed
// checkpoint and get proofs that verify with the standalone verifier; other roles get 403.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestApp,
  type SignedIn,
  type SignedUp,
  STRONG_PASSWORD,
  signInBearer,
  signUp,
  type TestApp,
} from '../../../test/support/app.ts'
import { withTenant } from '../../db/tenant.ts'
import { hashPassword } from '../identity/passwords.ts'
import { loadOrCreateSigner, verifyCheckpoint } from './checkpoint.ts'
import { checkpointPending, directoryWitness } from './checkpointer.ts'
import { leafHash, verifyConsistency, verifyInclusion } from './merkle.ts'

let t: TestApp
let acme: SignedUp
let owner: SignedIn

const get = (url: string, who: SignedIn = owner) =>
  t.app.inject({ method: 'GET', url, headers: who.authorization })
const checkpointNow = () =>
  checkpointPending(
    t.database.handle,
    loadOrCreateSigner(t.config.audit.signingKeyFile),
    directoryWitness(t.config.audit.witnessDir),
  )

async function userWithRole(role: 'member' | 'auditor'): Promise<SignedIn> {
  const email = `${role}-${randomUUID().slice(0, 8)}@${acme.tenant.slug}.example`
  const passwordHash = await hashPassword(STRONG_PASSWORD)
  await withTenant(t.database.handle, acme.tenant.id, (trx) =>
    trx
      .insertInto('users')
      .values({
        id: randomUUID(),
        tenant_id: acme.tenant.id,
        email,
        email_normalized: email,
        password_hash: passwordHash,
        role,
        last_sign_in_at: null,
      })
      .execute(),
  )
  return signInBearer(t.app, { ...acme, owner: { ...acme.owner, email } })
}

beforeAll(async () => {
  t = await createTestApp()
  acme = await signUp(t.app)
  owner = await signInBearer(t.app, acme)
  await t.app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    payload: { tenant: acme.tenant.slug, email: acme.owner.email, password: 'Wrong-password-123' },
  })
})
afterAll(() => t.close())

describe('audit API', () => {
  it('LOG-4: lists events newest first with their leaf index', async () => {
    const res = await get('/api/v1/audit/events')
    expect(res.statusCode).toBe(200)
    const { events, nextCursor } = res.json()
    expect(events.map((e: { index: number }) => e.index)).toEqual([4, 3, 2, 1, 0])
    expect(events[4]).toMatchObject({ index: 0, action: 'tenant.create', outcome: 'success' })
    expect(events[0]).toMatchObject({
      action: 'session.create',
      outcome: 'failure',
      reason: 'invalid_password',
    })
    expect(nextCursor).toBeNull()
  })

  it('LOG-4: filters by action, outcome, actor, target and time', async () => {
    const byAction = (await get('/api/v1/audit/events?action=user.create')).json().events
    expect(byAction).toHaveLength(1)
    const failures = (await get('/api/v1/audit/events?outcome=failure')).json().events
    expect(failures.map((e: { reason: string }) => e.reason)).toEqual(['invalid_password'])
    const byTarget = (await get(`/api/v1/audit/events?target=${acme.tenant.id}`)).json().events
    // The tenant itself, and its key (KMS-1), which is named by the tenant's id.
    expect(byTarget.map((e: { action: string }) => e.action)).toEqual([
      'key.create',
      'tenant.create',
    ])
    const byActor = (await get(`/api/v1/audit/events?actor=${acme.owner.id}`)).json().events
    expect(byActor.length).toBe(5)
    const future = (await get('/api/v1/audit/events?from=2999-01-01T00:00:00Z')).json().events
    expect(future).toEqual([])
  })

  it('LOG-4: pages with a cursor, every event exactly once', async () => {
    const seen: number[] = []
    let url = '/api/v1/audit/events?limit=3'
    for (;;) {
      const { events, nextCursor } = (await get(url)).json()
      seen.push(...events.map((e: { index: number }) => e.index))
      if (!nextCursor) break
      url = `/api/v1/audit/events?limit=3&cursor=${nextCursor}`
    }
    expect(seen).toEqual([4, 3, 2, 1, 0])
  })

  it.each([
    [
      'a forged cursor',
      '/api/v1/audit/events?cursor=bm90LWEtY3Vyc29y',
      400,
      'AUDIT_CURSOR_INVALID',
    ],
    ['an unknown filter', '/api/v1/audit/events?email=a@b.example', 400, 'REQUEST_INVALID'],
    [
      'an injection in a filter',
      "/api/v1/audit/events?action=x'%20OR%201=1--",
      400,
      'REQUEST_INVALID',
    ],
    ['a limit over 500', '/api/v1/audit/events?limit=501', 400, 'REQUEST_INVALID'],
    ['a proof for a missing entry', '/api/v1/audit/events/999/proof', 404, 'AUDIT_ENTRY_NOT_FOUND'],
    [
      'sizes out of order',
      '/api/v1/audit/consistency?first=4&second=2',
      422,
      'AUDIT_RANGE_INVALID',
    ],
  ])('refuses %s', async (_what, url, status, code) => {
    const res = await get(url)
    expect(res.statusCode).toBe(status)
    expect(res.json().error.code).toBe(code)
  })

  it('LOG-4: a member may not read the log; an auditor may', async () => {
    const member = await userWithRole('member')
    for (const url of [
      '/api/v1/audit/events',
      '/api/v1/audit/export',
      '/api/v1/audit/checkpoint',
    ]) {
      const res = await get(url, member)
      expect(res.statusCode, url).toBe(403)
      expect(res.json().error.code).toBe('AUTH_PERMISSION_DENIED')
    }
    const auditor = await userWithRole('auditor')
    expect((await get('/api/v1/audit/events', auditor)).statusCode).toBe(200)
  })

  it('LOG-4: exports as JSON lines and CSV', async () => {
    const jsonl = await get('/api/v1/audit/export')
    expect(jsonl.statusCode).toBe(200)
    expect(jsonl.headers['content-type']).toContain('application/x-ndjson')
    expect(jsonl.headers['content-disposition']).toMatch(/attachment; filename="audit-.*\.jsonl"/)
    const lines = jsonl.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.length).toBeGreaterThanOrEqual(4)
    expect(lines.at(-1)).toMatchObject({ index: 0, action: 'tenant.create' })
    const csv = await get('/api/v1/audit/export?format=csv&outcome=failure')
    expect(csv.headers['content-type']).toContain('text/csv')
    const rows = csv.body.trim().split('\n')
    expect(rows[0]).toBe(
      'index,time,category,action,outcome,reason,actor,source,target,parent,requestId,fields',
    )
    expect(rows.slice(1).every((r) => r.includes('"failure"'))).toBe(true)
  })

  it('LOG-1: every export is itself recorded, with who exported', async () => {
    const before = (await get('/api/v1/audit/events?action=audit.export')).json().events.length
    await get('/api/v1/audit/export?format=csv')
    const exports = (await get('/api/v1/audit/events?action=audit.export')).json().events
    expect(exports).toHaveLength(before + 1)
    expect(exports[0]).toMatchObject({
      outcome: 'success',
      actor: { type: 'user', id: acme.owner.id },
      target: { type: 'audit_log', id: acme.tenant.id },
    })
  })

  it('LOG-4: the signed checkpoint and an inclusion proof verify with the standalone verifier', async () => {
    expect((await get('/api/v1/audit/events/0/proof')).statusCode).toBe(404)
    await checkpointNow()
    const { checkpoint, publicKey } = (await get('/api/v1/audit/checkpoint')).json()
    expect(verifyCheckpoint(checkpoint, publicKey)).toBe(true)
    for (let index = 0; index < checkpoint.size; index++) {
      const res = await get(`/api/v1/audit/events/${index}/proof`)
      expect(res.statusCode).toBe(200)
      const body = res.json()
      expect(leafHash(body.event).toString('hex')).toBe(body.leafHash)
      const proof = body.proof.map((h: string) => Buffer.from(h, 'hex'))
      const root = Buffer.from(body.checkpoint.root, 'hex')
      expect(verifyInclusion(leafHash(body.event), index, body.checkpoint.size, proof, root)).toBe(
        true,
      )
    }
  })

  it('LOG-4: a consistency proof links two signed sizes', async () => {
    const first = (await get('/api/v1/audit/checkpoint')).json().checkpoint.size
    await signInBearer(t.app, acme)
    await signInBearer(t.app, acme)
    await checkpointNow()
    const second = (await get('/api/v1/audit/checkpoint')).json().checkpoint.size
    expect(second).toBeGreaterThan(first)
    const res = await get(`/api/v1/audit/consistency?first=${first}&second=${second}`)
    expect(res.statusCode).toBe(200)
    const body = res.json()
    const proof = body.proof.map((h: string) => Buffer.from(h, 'hex'))
    const [a, b] = [Buffer.from(body.first.root, 'hex'), Buffer.from(body.second.root, 'hex')]
    expect(verifyConsistency(first, second, proof, a, b)).toBe(true)
  })
})
