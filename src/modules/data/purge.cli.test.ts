// DATA-4: `rampart jobs run data-purge` purges, at once and under the job's lease, the deleted
// collections and records whose lock has run out, and leaves everything else.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { cliHarness } from '../../../test/support/cli.ts'
import { sequencePending } from '../audit/audit.service.ts'

const cli = cliHarness('data-purge-cli')
const rampart = cli.run

const FIELDS = JSON.stringify([
  { key: 'title', label: 'Title', type: 'text', classification: 'public', required: false },
])

describe('rampart jobs run data-purge', () => {
  it('DATA-4: purges what is past its lock, audited, and nothing else', async () => {
    const made = await rampart([
      'tenant',
      'create',
      '--slug',
      'purge-acme',
      '--name',
      'Purge Acme',
      '--owner-email',
      'o@purge-acme.test',
    ])
    expect(made.code).toBe(0)
    const [due, kept, dueRecord, keptRecord, insideDue] = Array.from({ length: 5 }, randomUUID)
    const tenantId = await cli.onDatabase(async ({ db }) => {
      const { rows } = await sql<{ id: string }>`
        SELECT id FROM tenants WHERE slug = 'purge-acme'`.execute(db)
      const id = rows[0]?.id as string
      // What a deletion 31 days ago left: a locked collection, and a locked record of a live one.
      await sql`INSERT INTO collections (id, tenant_id, name, name_normalized, fields, deleted_at, purge_after)
        VALUES (${due}, ${id}, 'Old', 'old', ${FIELDS}::jsonb, now() - interval '31 days', now() - interval '1 day'),
               (${kept}, ${id}, 'Kept', 'kept', ${FIELDS}::jsonb, NULL, NULL)`.execute(db)
      await sql`INSERT INTO records (id, tenant_id, collection_id, data, deleted_at, purge_after)
        VALUES (${insideDue}, ${id}, ${due}, '{"title":"a"}', NULL, NULL),
               (${dueRecord}, ${id}, ${kept}, '{"title":"b"}', now() - interval '31 days', now() - interval '1 hour'),
               (${keptRecord}, ${id}, ${kept}, '{"title":"c"}', now() - interval '1 day', now() + interval '29 days')`.execute(
        db,
      )
      return id
    })

    const run = await rampart(['jobs', 'run', 'data-purge'])
    expect(run.err).toEqual([])
    expect(run.code).toBe(0)
    expect(run.out[0]).toMatch(
      /^job data-purge done in \d+ ms: purged 1 collection\(s\) and 2 record\(s\) in 1 organisation\(s\)$/,
    )

    await cli.onDatabase(async (handle) => {
      const { db } = handle
      const records = await sql<{ id: string }>`SELECT id FROM records ORDER BY id`.execute(db)
      expect(records.rows.map((r) => r.id)).toEqual([keptRecord])
      const collections = await sql<{ id: string }>`SELECT id FROM collections`.execute(db)
      expect(collections.rows.map((r) => r.id)).toEqual([kept])
      await sequencePending(handle, tenantId)
      const { rows } = await sql<{ event: string }>`
        SELECT event FROM audit_entries WHERE tenant_id = ${tenantId} ORDER BY idx`.execute(db)
      const actions = rows
        .map((r) => JSON.parse(r.event))
        .filter((e) => e.action.endsWith('.purge'))
      expect(actions.map((e) => [e.action, e.reason])).toEqual([
        ['record.purge', 'lock_expired'],
        ['record.purge', 'collection_purged'],
        ['collection.purge', 'lock_expired'],
      ])
    })

    const listed = await rampart(['jobs', 'list'])
    expect(listed.out.find((l) => l.startsWith('data-purge\t'))).toMatch(/^data-purge\tevery 1h\t/)
  }, 120_000)
})
