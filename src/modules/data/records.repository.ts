// DATA-1, DATA-4: record rows. Every query names the tenant (row-level security is the second
// lock, not the only one). Filters and sorts reach into the `data` jsonb with the field key as a
// bound parameter (`data ->> $1`), never spliced into SQL text (SEC-3); text compares and sorts
// byte-wise (COLLATE "C"), the same on every database, so keyset pages never skip or repeat.
import { type Insertable, type RawBuilder, sql } from 'kysely'
import type { Trx } from '../../db/tenant.ts'
import type { Cursor, Filter, Sort } from './records.query.ts'
import type { RecordRow, RecordsTable } from './records.table.ts'

/** PostgreSQL takes at most 65,535 bind parameters per statement; stay well below. */
const MAX_PARAMETERS = 60_000

/**
 * Inserts rows with one multi-row INSERT per chunk, each chunk below the bind-parameter limit.
 * `data` and `sealed` are JSON text (the column types say so). Runs in the caller's transaction.
 */
export async function insertRecords(
  trx: Trx,
  rows: readonly Insertable<RecordsTable>[],
): Promise<void> {
  if (rows.length === 0) return
  const columns = new Set<string>()
  for (const row of rows) for (const key of Object.keys(row)) columns.add(key)
  const perChunk = Math.max(1, Math.floor(MAX_PARAMETERS / columns.size))
  for (let at = 0; at < rows.length; at += perChunk) {
    await trx
      .insertInto('records')
      .values(rows.slice(at, at + perChunk))
      .execute()
  }
}

/** One live record of the collection; `lock` holds it until the transaction ends. */
export async function findLiveRecord(
  trx: Trx,
  tenantId: string,
  collectionId: string,
  recordId: string,
  lock = false,
): Promise<RecordRow | undefined> {
  let query = trx
    .selectFrom('records')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('collection_id', '=', collectionId)
    .where('id', '=', recordId)
    .where('deleted_at', 'is', null)
  if (lock) query = query.forUpdate()
  return query.executeTakeFirst()
}

export interface RecordChanges {
  data: string
  sealed: string
  subject_index?: Buffer | null
  subject_key_version?: number | null
  updated_by: string | null
}

/** Writes a new state and bumps the revision; undefined when the record is gone meanwhile. */
export async function updateRecord(
  trx: Trx,
  tenantId: string,
  recordId: string,
  changes: RecordChanges,
): Promise<RecordRow | undefined> {
  return trx
    .updateTable('records')
    .set((eb) => ({
      ...changes,
      revision: eb('revision', '+', 1),
      updated_at: new Date(),
    }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', recordId)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst()
}

/**
 * A schema change removed fields: their values leave every record of the collection, locked
 * ones included (nothing of a removed field may come back on restore). `dropSubject` also clears
 * the blind indexes, when the collection's data-subject field went.
 */
export async function stripFieldValues(
  trx: Trx,
  tenantId: string,
  collectionId: string,
  keys: readonly string[],
  dropSubject: boolean,
): Promise<void> {
  // text[] built from bound parameters: the keys never become SQL text.
  const list = sql`ARRAY[${sql.join(keys.length > 0 ? keys : [''])}]::text[]`
  await trx
    .updateTable('records')
    .set({
      data: sql<string>`data - ${list}`,
      sealed: sql<string>`sealed - ${list}`,
      ...(dropSubject ? { subject_index: null, subject_key_version: null } : {}),
    })
    .where('tenant_id', '=', tenantId)
    .where('collection_id', '=', collectionId)
    .execute()
}

/** The plain value of a field, as text; numbers as numeric (they compare as numbers). */
function fieldExpr(filterOrSortField: { key: string; type: string }): RawBuilder<unknown> {
  const text = sql`(r.data ->> ${filterOrSortField.key}::text)`
  return filterOrSortField.type === 'number' ? sql`${text}::numeric` : sql`${text} COLLATE "C"`
}

function bound(field: { type: string }, value: string | number | boolean): RawBuilder<unknown> {
  if (field.type === 'number') return sql`${String(value)}::numeric`
  return sql`${String(value)}`
}

function filterSql(filter: Filter): RawBuilder<unknown> {
  const { field, op, values } = filter
  const key = field.key
  const expr = fieldExpr(field)
  const value = values[0] ?? ''
  switch (op) {
    case 'exists':
      return sql`(r.data -> ${key}::text) IS NOT NULL`
    case 'missing':
      return sql`(r.data -> ${key}::text) IS NULL`
    case 'eq':
      return sql`${expr} = ${bound(field, value)}`
    case 'ne':
      return sql`${expr} <> ${bound(field, value)}`
    case 'lt':
      return sql`${expr} < ${bound(field, value)}`
    case 'lte':
      return sql`${expr} <= ${bound(field, value)}`
    case 'gt':
      return sql`${expr} > ${bound(field, value)}`
    case 'gte':
      return sql`${expr} >= ${bound(field, value)}`
    case 'contains':
      // strpos, not LIKE: % and _ in the value are plain characters.
      return sql`strpos(lower(r.data ->> ${key}::text), lower(${String(value)})) > 0`
    case 'in':
      return sql`${expr} IN (${sql.join(values.map((v) => bound(field, v)))})`
  }
}

/** The sort expression, and how its value is written into (and read back from) a cursor. */
function sortParts(sort: Sort): {
  expr: RawBuilder<unknown>
  asText: RawBuilder<string>
  fromText: (text: string) => RawBuilder<unknown>
  nullable: boolean
} {
  const { key } = sort
  if (key.kind !== 'field') {
    const column = key.kind === 'createdAt' ? sql.ref('r.created_at') : sql.ref('r.updated_at')
    return {
      expr: column,
      // Microseconds in UTC: a JavaScript Date would drop them and pages would overlap.
      asText: sql<string>`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      fromText: (text) => sql`${text}::timestamptz`,
      nullable: false,
    }
  }
  const expr = fieldExpr(key.field)
  return {
    expr,
    asText:
      key.field.type === 'number'
        ? sql<string>`(r.data ->> ${key.field.key}::text)::numeric::text`
        : sql<string>`(r.data ->> ${key.field.key}::text)`,
    fromText: (text) => bound(key.field, text),
    nullable: true,
  }
}

export interface RecordListQuery {
  tenantId: string
  collectionId: string
  filters: readonly Filter[]
  sort: Sort
  cursor: Cursor | null
  /** Rows to return; one more is read to tell whether another page follows. */
  limit: number
  /** DATA-8: only records whose blind index matches one of these (per key version). */
  subjects: readonly { version: number; index: Buffer }[] | null
}

/**
 * One page of live records, ordered by the sort (records without a value last, whichever the
 * direction) and then by id in the same direction, so equal sort values still page stably.
 */
export async function listLiveRecords(
  trx: Trx,
  q: RecordListQuery,
): Promise<(RecordRow & { sort_key: string | null })[]> {
  const { expr, asText, fromText, nullable } = sortParts(q.sort)
  const dir = q.sort.descending ? sql`DESC` : sql`ASC`
  const conditions: RawBuilder<unknown>[] = q.filters.map(filterSql)
  if (q.subjects !== null) {
    conditions.push(
      q.subjects.length === 0
        ? sql`false`
        : sql`(${sql.join(
            q.subjects.map(
              (s) => sql`(r.subject_key_version = ${s.version} AND r.subject_index = ${s.index})`,
            ),
            sql` OR `,
          )})`,
    )
  }
  if (q.cursor) {
    const after = q.sort.descending ? sql`<` : sql`>`
    const id = sql`${q.cursor.id}::uuid`
    if (q.cursor.sortValue === null) {
      conditions.push(sql`(${expr} IS NULL AND r.id ${after} ${id})`)
    } else {
      const v = fromText(q.cursor.sortValue)
      const tail = nullable ? sql`${expr} IS NULL OR ` : sql``
      conditions.push(
        sql`(${tail}${expr} ${after} ${v} OR (${expr} = ${v} AND r.id ${after} ${id}))`,
      )
    }
  }
  const where = conditions.length > 0 ? sql` AND ${sql.join(conditions, sql` AND `)}` : sql``
  const nullsLast = nullable ? sql`(${expr} IS NULL), ` : sql``
  const { rows } = await sql<RecordRow & { sort_key: string | null }>`
    SELECT r.*, ${asText} AS sort_key
    FROM records r
    WHERE r.tenant_id = ${q.tenantId}::uuid AND r.collection_id = ${q.collectionId}::uuid
      AND r.deleted_at IS NULL${where}
    ORDER BY ${nullsLast}${expr} ${dir}, r.id ${dir}
    LIMIT ${q.limit + 1}`.execute(trx)
  return rows
}

/** DATA-4: individually deleted records whose lock ran out, held for this transaction. */
export async function recordsDueForPurge(
  trx: Trx,
  tenantId: string,
  now: Date,
  limit: number,
): Promise<{ id: string; collection_id: string }[]> {
  return trx
    .selectFrom('records')
    .select(['id', 'collection_id'])
    .where('tenant_id', '=', tenantId)
    .where('deleted_at', 'is not', null)
    .where('purge_after', '<=', now)
    .orderBy('purge_after')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute()
}

/** Some records of a collection (locked or not), for purging the collection in batches. */
export async function recordIdsOfCollection(
  trx: Trx,
  tenantId: string,
  collectionId: string,
  limit: number,
): Promise<string[]> {
  const rows = await trx
    .selectFrom('records')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('collection_id', '=', collectionId)
    .orderBy('id')
    .limit(limit)
    .execute()
  return rows.map((r) => r.id)
}

export async function deleteRecordsById(
  trx: Trx,
  tenantId: string,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return
  await trx.deleteFrom('records').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute()
}
