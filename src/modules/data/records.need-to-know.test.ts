// AUTHZ-2: below data.manage, a collection and its records are reached only through a grant to
// one of the user's groups (view to read, edit to write), within what the role allows; without
// one, every route answers exactly as for a collection that does not exist, and a removed grant
// or membership ends access at the very next request.
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SignedIn, SignedUp } from '../../../test/support/app.ts'
import { makeKey } from '../access/api-keys.test-support.ts'
import {
  addMember,
  addUser,
  createGroup,
  newOrg,
  type User,
} from '../access/groups.test-support.ts'
import type { Collection } from './collections.service.ts'
import {
  call,
  createDataTestApp,
  type DataTestApp,
  grantCollection,
  type Method,
  newCollection,
  newRecord,
} from './data.test-support.ts'
import type { DataRecord } from './records.service.ts'

let t: DataTestApp
let org: SignedUp
let owner: SignedIn
let member: User
let viewer: User
let admin: User
let groupId: string
let granted: Collection
let ungranted: Collection
let grantedRecord: DataRecord
let ungrantedRecord: DataRecord

/** Every collection and record route a member's role allows, against one collection. */
function routes(c: Collection, recordId: string): [Method, string, unknown?][] {
  const base = `/api/v1/collections/${c.id}`
  return [
    ['GET', base],
    ['GET', `${base}/versions`],
    ['GET', `${base}/records`],
    ['GET', `${base}/records?subject=ada@example.com`],
    ['GET', `${base}/records/${recordId}`],
    ['POST', `${base}/records`, { values: { name: 'Sneaked in' } }],
    ['PATCH', `${base}/records/${recordId}`, { values: { city: 'Changed' } }],
    ['DELETE', `${base}/records/${recordId}`],
  ]
}

const READS = 5

async function walk(who: SignedIn, c: Collection, recordId: string) {
  const out: LightMyRequestResponse[] = []
  for (const [method, url, body] of routes(c, recordId))
    out.push(await call(t, who, method, url, body))
  return out
}

function expectCodes(responses: LightMyRequestResponse[], codes: (number | string)[]): void {
  expect(
    responses.map((r) =>
      r.statusCode < 400 ? r.statusCode : `${r.statusCode} ${r.json().error.code}`,
    ),
  ).toEqual(codes)
}

const NOT_FOUND = '404 DATA_COLLECTION_NOT_FOUND'

async function visibleIds(who: SignedIn): Promise<string[]> {
  const res = await call(t, who, 'GET', '/api/v1/collections')
  expect(res.statusCode).toBe(200)
  return res.json().collections.map((c: Collection) => c.id)
}

beforeAll(async () => {
  t = await createDataTestApp()
  ;({ org, owner } = await newOrg(t))
  member = await addUser(t, org, 'member')
  viewer = await addUser(t, org, 'viewer')
  admin = await addUser(t, org, 'admin')
  granted = await newCollection(t, owner)
  ungranted = await newCollection(t, owner)
  grantedRecord = await newRecord(t, owner, granted.id, { name: 'Ada', email: 'ada@example.com' })
  ungrantedRecord = await newRecord(t, owner, ungranted.id, { name: 'Alan' })
  groupId = await createGroup(t, owner, 'Team')
  await addMember(t, owner, groupId, member.id)
  await addMember(t, owner, groupId, viewer.id)
})
afterAll(() => t.close())

describe('AUTHZ-2 need to know for collections and records', () => {
  it('AUTHZ-2: a member without a grant gets 404 on every route, and lists nothing', async () => {
    expectCodes(await walk(member.session, granted, grantedRecord.id), Array(8).fill(NOT_FOUND))
    expect(await visibleIds(member.session)).toEqual([])
  })

  it('AUTHZ-2: with view, a member reads but cannot write', async () => {
    const grantId = await grantCollection(t, owner, groupId, granted.id, 'view')
    const responses = await walk(member.session, granted, grantedRecord.id)
    expectCodes(responses, [200, 200, 200, 200, 200, NOT_FOUND, NOT_FOUND, NOT_FOUND])
    expect(responses[3]?.json().records.map((r: DataRecord) => r.id)).toEqual([grantedRecord.id])
    expect(await visibleIds(member.session)).toEqual([granted.id])
    // The other collection, and its record ids through the granted one, stay unknown.
    expectCodes(await walk(member.session, ungranted, ungrantedRecord.id), Array(8).fill(NOT_FOUND))
    const through = await call(
      t,
      member.session,
      'GET',
      `/api/v1/collections/${granted.id}/records/${ungrantedRecord.id}`,
    )
    expect(through.json().error.code).toBe('DATA_RECORD_NOT_FOUND')
    await call(t, owner, 'DELETE', `/api/v1/groups/${groupId}/grants/${grantId}`)
  })

  it('AUTHZ-2: with edit, a member writes; a viewer with the same grant still only reads', async () => {
    const grantId = await grantCollection(t, owner, groupId, granted.id, 'edit')
    const made = await call(
      t,
      member.session,
      'POST',
      `/api/v1/collections/${granted.id}/records`,
      {
        values: { name: 'Grace' },
      },
    )
    expect(made.statusCode).toBe(201)
    const responses = await walk(member.session, granted, made.json().id)
    expectCodes(responses, [200, 200, 200, 200, 200, 201, 200, 200])
    const asViewer = await walk(viewer.session, granted, grantedRecord.id)
    expectCodes(asViewer.slice(0, READS), [200, 200, 200, 200, 200])
    for (const res of asViewer.slice(READS)) {
      expect(res.statusCode).toBe(403)
      expect(res.json().error).toMatchObject({
        code: 'AUTH_PERMISSION_DENIED',
        details: { permission: 'records.write' },
      })
    }
    // Restoring and the recently-deleted view are data.manage's, grant or not.
    const restore = await call(
      t,
      member.session,
      'POST',
      `/api/v1/collections/${granted.id}/records/${made.json().id}/restore`,
    )
    expect(restore.statusCode).toBe(403)
    expect((await call(t, member.session, 'GET', '/api/v1/recently-deleted')).statusCode).toBe(403)
    await call(t, owner, 'DELETE', `/api/v1/groups/${groupId}/grants/${grantId}`)
  })

  it('AUTHZ-2: removing the grant or the membership ends access at the next request', async () => {
    const url = `/api/v1/collections/${granted.id}/records/${grantedRecord.id}`
    const grantId = await grantCollection(t, owner, groupId, granted.id, 'edit')
    expect((await call(t, member.session, 'GET', url)).statusCode).toBe(200)
    await call(t, owner, 'DELETE', `/api/v1/groups/${groupId}/grants/${grantId}`)
    expect((await call(t, member.session, 'GET', url)).json().error.code).toBe(
      'DATA_COLLECTION_NOT_FOUND',
    )

    await grantCollection(t, owner, groupId, granted.id, 'view')
    expect((await call(t, member.session, 'GET', url)).statusCode).toBe(200)
    await call(t, owner, 'DELETE', `/api/v1/groups/${groupId}/members/${member.id}`)
    expect((await call(t, member.session, 'GET', url)).statusCode).toBe(404)
    expect((await call(t, viewer.session, 'GET', url)).statusCode).toBe(200)
  })

  it('AUTHZ-2: an API key acts within its user’s grants and its own scope', async () => {
    await addMember(t, owner, groupId, member.id)
    const key = await makeKey(t.app, member.session, ['records.read'], 'reader')
    const url = `/api/v1/collections/${granted.id}/records`
    expect(
      (await t.app.inject({ method: 'GET', url, headers: key.authorization })).statusCode,
    ).toBe(200)
    const other = await t.app.inject({
      method: 'GET',
      url: `/api/v1/collections/${ungranted.id}/records`,
      headers: key.authorization,
    })
    expect(other.json().error.code).toBe('DATA_COLLECTION_NOT_FOUND')
    const write = await t.app.inject({
      method: 'POST',
      url,
      headers: key.authorization,
      payload: { values: { name: 'By key' } },
    })
    expect(write.json().error.details.permission).toBe('records.write')
  })

  it('AUTHZ-2: data.manage reaches every collection without any grant', async () => {
    expect((await visibleIds(admin.session)).sort()).toEqual([granted.id, ungranted.id].sort())
    const responses = await walk(admin.session, ungranted, ungrantedRecord.id)
    expectCodes(responses, [200, 200, 200, 200, 200, 201, 200, 200])
  })
})
