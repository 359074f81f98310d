// AUTHZ-4: an organisation has at most one open review: of parallel opens exactly one succeeds and
// the rest get 409, and the next can open only once the open one is completed.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, signUp, type TestApp } from '../../../test/support/app.ts'
import {
  complete,
  decideAll,
  openReview,
  ownerOf,
  userWithRole,
} from './access-reviews.test-support.ts'

let t: TestApp

beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('one open review per organisation', () => {
  it('AUTHZ-4: eight parallel opens by two reviewers: exactly one 201, seven 409', async () => {
    const org = await signUp(t.app)
    const owner = await ownerOf(t, org)
    const admin = await userWithRole(t, org, 'admin')
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => openReview(t, i % 2 ? owner : admin)),
    )
    const opened = results.filter((r) => r.statusCode === 201)
    expect(opened).toHaveLength(1)
    for (const r of results.filter((r) => r.statusCode !== 201)) {
      expect(r.statusCode).toBe(409)
      expect(r.json().error.code).toBe('ACCESS_REVIEW_ALREADY_OPEN')
    }
    const rows = await t.database.handle.db
      .selectFrom('access_reviews')
      .select(['id', 'item_count'])
      .where('tenant_id', '=', org.tenant.id)
      .execute()
    expect(rows).toEqual([{ id: opened[0]?.json().id, item_count: 2 }])

    // Once completed, the next one may open; another organisation was never affected.
    const id = opened[0]?.json().id as string
    await decideAll(t, owner, id, 'keep')
    expect((await complete(t, owner, id)).statusCode).toBe(200)
    expect((await openReview(t, admin)).statusCode).toBe(201)
    const other = await signUp(t.app)
    expect((await openReview(t, await ownerOf(t, other))).statusCode).toBe(201)
  })

  it('AUTHZ-4: the database itself refuses a second open review (partial unique index)', async () => {
    const org = await signUp(t.app)
    await openReview(t, await ownerOf(t, org))
    const review = await t.database.handle.db
      .selectFrom('access_reviews')
      .selectAll()
      .where('tenant_id', '=', org.tenant.id)
      .executeTakeFirstOrThrow()
    const second = t.database.handle.db
      .insertInto('access_reviews')
      .values({ ...review, id: randomUUID() })
      .execute()
    await expect(second).rejects.toMatchObject({ code: '23505' })
  })
})
