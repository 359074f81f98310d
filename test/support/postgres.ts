// PostgreSQL test databases, created and dropped through an admin connection. Apart from
// database.ts because the suite's global setup uses it too, where vitest's `inject` is unavailable.
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export const postgresUrl = process.env.RAMPART_TEST_DATABASE_URL || undefined

export function databaseKind(): 'pglite' | 'postgres' {
  return postgresUrl ? 'postgres' : 'pglite'
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/**
 * Creates a PostgreSQL database and returns its name and URL: empty, or a copy of `template`
 * (the suite's migrated template, see global-setup.ts).
 */
export async function createPostgresDatabase(
  template?: string,
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `rampart_t_${randomBytes(6).toString('hex')}`
  const from = template ? ` TEMPLATE ${template}` : ''
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}${from}`))
  const url = new URL(postgresUrl as string)
  url.pathname = `/${name}`
  return {
    name,
    url: url.toString(),
    async drop() {
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    },
  }
}
