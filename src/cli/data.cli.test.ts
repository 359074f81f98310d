// DATA-1, LOG-1: `rampart data import|export` as the operator, against the configured database:
// progress on standard error, the report at the end, exit codes that say what happened, and every
// batch and export audited in the tenant's log with actor `system`.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { cliHarness } from '../../test/support/cli.ts'
import { withTenant } from '../db/tenant.ts'
import { sequencePending } from '../modules/audit/audit.service.ts'
import type { FieldDefinition } from '../modules/data/fields.ts'
import { EXIT_FILE_INVALID, EXIT_NO_INPUT, EXIT_NO_OUTPUT, EXIT_ROWS_REJECTED } from './data.ts'

const cli = cliHarness('data-cli')
const rampart = cli.run
const SLUG = 'data-cli-org'

const FIELDS: FieldDefinition[] = [
  { key: 'name', label: 'Name', type: 'text', classification: 'personal', required: true },
  { key: 'age', label: 'Age', type: 'number', classification: 'internal', required: false },
  { key: 'city', label: 'City', type: 'text', classification: 'public', required: false },
]

let tenantId: string
let collectionId: string
let dir: string

/** `rampart data <verb>` on the test collection of the test tenant, with `rest` after. */
const dataCli = (verb: 'import' | 'export', ...rest: string[]) =>
  rampart(['data', verb, '--tenant', SLUG, '--collection', collectionId, ...rest])

beforeAll(async () => {
  const made = await rampart([
    'tenant',
    'create',
    '--slug',
    SLUG,
    '--name',
    'Data CLI',
    '--owner-email',
    'o@data-cli.test',
  ])
  expect(made.code).toBe(0)
  dir = mkdtempSync(join(tmpdir(), 'rampart-data-cli-'))
  collectionId = randomUUID()
  await cli.onDatabase(async (db) => {
    const tenant = await db.db
      .selectFrom('tenants')
      .select('id')
      .where('slug', '=', SLUG)
      .executeTakeFirstOrThrow()
    tenantId = tenant.id
    await withTenant(db, tenantId, async (trx) => {
      await trx
        .insertInto('collections')
        .values({
          id: collectionId,
          tenant_id: tenantId,
          name: 'People',
          name_normalized: 'people',
          description: null,
          fields: JSON.stringify(FIELDS),
          subject_field: null,
          created_by: null,
        })
        .execute()
      await trx
        .insertInto('collection_versions')
        .values({
          tenant_id: tenantId,
          collection_id: collectionId,
          version: 1,
          fields: JSON.stringify(FIELDS),
          subject_field: null,
          changed_by: null,
        })
        .execute()
    })
  })
})

describe('rampart data', () => {
  it('DATA-1: import shows progress, prints the report and exits 1 when rows were rejected', async () => {
    const file = join(dir, 'people.csv')
    const lines = ['name,age,city']
    for (let i = 1; i <= 30; i++) lines.push(i === 7 ? 'Seven,seven,Rome' : `Person ${i},${i},Rome`)
    lines.push(',40,Nowhere')
    writeFileSync(file, `${lines.join('\n')}\n`)
    const run = await dataCli('import', '--file', file)
    expect(run.code, run.err.join('\n')).toBe(EXIT_ROWS_REJECTED)
    expect(run.out).toEqual([
      '29 of 31 row(s) imported in 1 batch(es); 2 rejected',
      '  row 7 age: wrong_type: Expected a number',
      '  row 31 name: required: The field is required',
    ])
    const size = statSync(file).size
    expect(run.progress.at(-2)).toBe(`import ${size}/${size}`)
    expect(run.progress.at(-1)).toBe('import done')

    const nd = join(dir, 'more.jsonl')
    writeFileSync(nd, '{"name": "Ndjson One", "age": 1}\n{"name": "Ndjson Two"}\n')
    const atomic = await dataCli('import', '--file', nd, '--atomic')
    expect(atomic.code).toBe(0)
    expect(atomic.out).toEqual(['2 of 2 row(s) imported in 1 batch(es); 0 rejected (atomic)'])
  })

  it('DATA-1: a malformed file exits 65 and says what was committed; usage errors are refused', async () => {
    const file = join(dir, 'broken.json')
    writeFileSync(file, '[{"name": "Fine"}, {"name": "Broken"')
    const broken = await dataCli('import', '--file', file)
    expect(broken.code).toBe(EXIT_FILE_INVALID)
    expect(broken.err[0]).toMatch(/^error DATA_IMPORT_FILE_INVALID: .* \(row 2, malformed_json\)$/)
    expect(broken.out[0]).toBe('0 of 1 row(s) imported in 0 batch(es); 0 rejected')

    expect((await dataCli('import', '--file', join(dir, 'missing.csv'))).code).toBe(EXIT_NO_INPUT)
    expect((await dataCli('import', '--file', join(dir, 'people.txt'))).code).toBe(1)
    const otherCollection = await rampart([
      'data',
      'import',
      '--tenant',
      SLUG,
      '--collection',
      randomUUID(),
      '--file',
      join(dir, 'people.csv'),
    ])
    expect(otherCollection.code).toBe(1)
    expect(otherCollection.err[0]).toMatch(/^error DATA_COLLECTION_NOT_FOUND: /)
    const noTenant = await rampart([
      'data',
      'export',
      '--tenant',
      'no-such-org',
      '--collection',
      collectionId,
    ])
    expect(noTenant.code).toBe(1)
    expect(noTenant.err).toEqual(['no tenant with slug no-such-org'])
  })

  it('DATA-3: export writes decrypted records to standard output or to a new 0600 file', async () => {
    const csv = await dataCli('export')
    expect(csv.code).toBe(0)
    expect(csv.out[0]).toBe('name,age,city')
    expect(csv.out).toContain('"Person 30",30,"Rome"')
    expect(csv.out).toContain('"Ndjson Two",,')
    expect(csv.out).toHaveLength(1 + 31)
    expect(csv.err).toEqual(['31 record(s) exported'])

    const out = join(dir, 'export.json')
    const json = await dataCli('export', '--format', 'json', '--out', out)
    expect(json.code).toBe(0)
    expect(json.out).toEqual([`31 record(s) exported to ${out}`])
    expect(statSync(out).mode & 0o777).toBe(0o600)
    const records = JSON.parse(readFileSync(out, 'utf8')) as { name: string }[]
    expect(records).toHaveLength(31)
    expect(records.map((r) => r.name)).toContain('Person 1')
    const again = await dataCli('export', '--out', out)
    expect(again.code).toBe(EXIT_NO_OUTPUT)
    expect((await dataCli('export', '--format', 'xml')).code).toBe(1)
  })

  it('LOG-1: the operator’s imports and exports are in the tenant’s log with actor system, names only', async () => {
    const events = await cli.onDatabase(async (db) => {
      await sequencePending(db, tenantId)
      const rows = await db.db
        .selectFrom('audit_entries')
        .select('event')
        .where('tenant_id', '=', tenantId)
        .orderBy('idx')
        .execute()
      return rows.map(
        (r) => JSON.parse(r.event) as { action: string; actor: object; fields?: string[] },
      )
    })
    const data = events.filter(
      (e) => e.action === 'record.import' || e.action === 'collection.export',
    )
    expect(data.map((e) => e.action)).toEqual([
      'record.import',
      'record.import',
      'collection.export',
      'collection.export',
    ])
    for (const e of data) expect(e.actor).toEqual({ type: 'system' })
    expect(data[0]?.fields).toEqual(['name', 'age', 'city'])
    expect(JSON.stringify(events)).not.toContain('Person')
  })
})
