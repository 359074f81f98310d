// SEC-3, KMS-3: hostile credential input gets a 4xx with a stable code, never a 500 and never a
// stored row; parallel stores under one name leave exactly one winner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedIn, type SignedUp, signInBearer, signUp } from '../../../test/support/app.ts'
import { auditEventsOf, createVaultTestApp, type VaultTestApp } from './vault.test-support.ts'

let t: VaultTestApp
let acme: SignedUp
let owner: SignedIn

function post(payload: object | string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/credentials',
    headers: { ...owner.authorization, 'content-type': 'application/json' },
    payload,
  })
}

async function rowCount(): Promise<number> {
  const rows = await t.database.handle.db.selectFrom('credentials').select('id').execute()
  return rows.length
}

const key = (secret: object, kind = 'api_key', name = 'Hostile') => ({ name, kind, secret })
const manyFields = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`field${i}`, 'v']))

beforeAll(async () => {
  t = await createVaultTestApp()
  acme = await signUp(t.app)
  owner = await signInBearer(t.app, acme)
})
afterAll(() => t.close())

describe('credential input under attack', () => {
  it.each<[string, object | string, number, string]>([
    ['a value over 8192 characters', key({ key: 'x'.repeat(8193) }), 400, 'REQUEST_INVALID'],
    ['an empty value', key({ key: '' }), 400, 'REQUEST_INVALID'],
    ['a number as a value', key({ key: 42 }), 400, 'REQUEST_INVALID'],
    ['an object as a value', key({ key: { nested: 'x' } }), 400, 'REQUEST_INVALID'],
    ['the secret as a string', key('sk_live' as unknown as object), 400, 'REQUEST_INVALID'],
    ['an empty secret', key({}, 'generic'), 400, 'REQUEST_INVALID'],
    ['21 generic fields', key(manyFields(21), 'generic'), 400, 'REQUEST_INVALID'],
    ['a unicode field name', key({ clé: 'x' }, 'generic'), 400, 'REQUEST_INVALID'],
    ['a field name with a dash', key({ 'api-key': 'x' }, 'generic'), 400, 'REQUEST_INVALID'],
    ['a field name starting with a digit', key({ '1key': 'x' }, 'generic'), 400, 'REQUEST_INVALID'],
    [
      'a 64-character field name',
      key({ [`k${'e'.repeat(63)}`]: 'x' }, 'generic'),
      400,
      'REQUEST_INVALID',
    ],
    ['an injection as a field name', key({ "key'--": 'x' }, 'generic'), 400, 'REQUEST_INVALID'],
    ['an unknown kind', key({ key: 'x' }, 'ssh_key'), 400, 'REQUEST_INVALID'],
    [
      'a kind of the wrong type',
      { name: 'x', kind: ['api_key'], secret: { key: 'x' } },
      400,
      'REQUEST_INVALID',
    ],
    [
      'a name of the wrong type',
      { name: 42, kind: 'api_key', secret: { key: 'x' } },
      400,
      'REQUEST_INVALID',
    ],
    ['an empty name', key({ key: 'x' }, 'api_key', ''), 400, 'REQUEST_INVALID'],
    [
      'a name of 201 characters',
      key({ key: 'x' }, 'api_key', 'n'.repeat(201)),
      400,
      'REQUEST_INVALID',
    ],
    ['a name with a line break', key({ key: 'x' }, 'api_key', 'a\nb'), 400, 'REQUEST_INVALID'],
    ['a name with a NUL', key({ key: 'x' }, 'api_key', 'a\u0000b'), 400, 'REQUEST_INVALID'],
    ['a blank name', key({ key: 'x' }, 'api_key', '   '), 422, 'VAULT_NAME_INVALID'],
    // U+0958 is excluded from composition: NFC turns each into two code points.
    [
      'a name NFC lengthens past 200',
      key({ key: 'x' }, 'api_key', '\u0958'.repeat(200)),
      422,
      'VAULT_NAME_INVALID',
    ],
    ['an extra top-level field', { ...key({ key: 'x' }), tenantId: 'x' }, 400, 'REQUEST_INVALID'],
    ['a missing secret', { name: 'x', kind: 'api_key' }, 400, 'REQUEST_INVALID'],
    ['an extra field for the kind', key({ key: 'x', password: 'y' }), 422, 'VAULT_FIELD_UNKNOWN'],
    ['a missing field for the kind', key({ username: 'u' }, 'basic'), 422, 'VAULT_FIELD_MISSING'],
    [
      'generic names differing in case',
      key({ Token: 'a', token: 'b' }, 'generic'),
      422,
      'VAULT_FIELD_DUPLICATE',
    ],
    [
      'prototype pollution',
      '{"name":"p","kind":"generic","secret":{"__proto__":{"a":"b"}}}',
      400,
      'REQUEST_MALFORMED_JSON',
    ],
    ['malformed JSON', '{"name":"p","kind":', 400, 'REQUEST_MALFORMED_JSON'],
    ['a body over the limit', key({ key: 'x'.repeat(70_000) }), 413, 'REQUEST_BODY_TOO_LARGE'],
  ])('SEC-3: refuses %s', async (_what, payload, status, code) => {
    const before = await rowCount()
    const res = await post(payload)
    expect(res.statusCode, res.body).toBe(status)
    expect(res.json().error.code).toBe(code)
    expect(await rowCount()).toBe(before)
  })

  it('KMS-3: refusals never echo a secret value', async () => {
    const value = 'echo-canary-5d1e'
    for (const payload of [
      key({ key: value.repeat(600) }),
      key({ 'bad-name': value }, 'generic'),
      key({ key: value, other: value }),
      key({ key: value }, 'api_key', ''),
      { ...key({ key: value }), extra: true },
    ]) {
      const res = await post(payload)
      expect(res.statusCode).toBeGreaterThanOrEqual(400)
      expect(res.body).not.toContain(value)
    }
  })

  it('KMS-3: 422s name the offending field, and never echo a value', async () => {
    const unknown = await post(key({ key: 'value-never-echoed', token: 'also-never-echoed' }))
    expect(unknown.json().error.details).toEqual({ field: 'token' })
    expect(unknown.json().error.message).toContain('"token"')
    const missing = await post(key({ host: 'h', port: '25', username: 'u' }, 'smtp'))
    expect(missing.json().error.details).toEqual({ field: 'password' })
    for (const res of [unknown, missing]) {
      expect(res.body).not.toContain('never-echoed')
      expect(res.statusCode).toBe(422)
    }
  })

  it('SEC-3: injection and unicode in names are stored as plain text', async () => {
    for (const name of [
      "'; DROP TABLE credentials; --",
      '<script>alert(1)</script>',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell probe, meant literally
      '${jndi:ldap://x}',
      'Zoë 🦄 東京 مرحبا',
    ]) {
      const res = await post(key({ key: 'x' }, 'api_key', name))
      expect(res.statusCode, res.body).toBe(201)
      expect(res.json().name).toBe(name)
    }
    // A name must display as what it is: overrides, isolates and lone surrogates are refused.
    for (const name of ['\u202Eevil-rtl', 'a\u2066b', 'a\ud800b']) {
      const res = await post(key({ key: 'x' }, 'api_key', name))
      expect(res.statusCode, res.body).toBe(400)
    }
  })

  it('KMS-3: names are unique per organisation after trimming and NFC normalisation', async () => {
    expect((await post(key({ key: 'x' }, 'api_key', 'Café'))).statusCode).toBe(201)
    for (const name of ['Café', ' Café ', 'Cafe\u0301']) {
      const res = await post(key({ key: 'x' }, 'api_key', name))
      expect(res.statusCode).toBe(409)
      expect(res.json().error.code).toBe('VAULT_NAME_TAKEN')
    }
  })

  it('KMS-3: parallel stores under one name give exactly one 201, the rest 409', async () => {
    const before = (await auditEventsOf(t, owner)).length
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) => post(key({ key: `parallel-${i}` }, 'api_key', 'Race'))),
    )
    const statuses = responses.map((r) => r.statusCode).sort()
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409])
    for (const r of responses.filter((r) => r.statusCode === 409)) {
      expect(r.json().error.code).toBe('VAULT_NAME_TAKEN')
    }
    const added = (await auditEventsOf(t, owner)).slice(before)
    expect(added.map((e) => e.action)).toEqual(['credential.create'])
  })

  it.each([
    ['a limit of 0', '/api/v1/credentials?limit=0', 400, 'REQUEST_INVALID'],
    ['a limit of 201', '/api/v1/credentials?limit=201', 400, 'REQUEST_INVALID'],
    ['a negative limit', '/api/v1/credentials?limit=-1', 400, 'REQUEST_INVALID'],
    ['a forged cursor', '/api/v1/credentials?cursor=bm90LWEtY3Vyc29y', 400, 'VAULT_CURSOR_INVALID'],
    ['an unknown filter', '/api/v1/credentials?tenant=x', 400, 'REQUEST_INVALID'],
    ['an id that is not a uuid', '/api/v1/credentials/1%20OR%201=1', 400, 'REQUEST_INVALID'],
    [
      'a URN-form uuid (which PostgreSQL cannot cast)',
      '/api/v1/credentials/urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8',
      400,
      'REQUEST_INVALID',
    ],
    [
      'an unknown id',
      '/api/v1/credentials/00000000-0000-4000-8000-000000000000',
      404,
      'VAULT_CREDENTIAL_NOT_FOUND',
    ],
  ])('SEC-3: reading with %s gives a stable 4xx', async (_what, url, status, code) => {
    const res = await t.app.inject({ method: 'GET', url, headers: owner.authorization })
    expect(res.statusCode, res.body).toBe(status)
    expect(res.json().error.code).toBe(code)
  })
})
