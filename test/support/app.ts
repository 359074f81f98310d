// Builds a real app on a fresh test database, plus helpers to sign up and sign in through HTTP and
// to make requests as a signed-in client.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { LightMyRequestResponse } from 'fastify'
import { type App, buildApp } from '../../src/app.ts'
import { type Config, parseConfig } from '../../src/config/config.ts'
import type { ServiceContext } from '../../src/context.ts'
import { type KeyServices, openKeyServices } from '../../src/crypto/key-services.ts'
import { loggerOptions } from '../../src/http/logging.ts'
import { TEST_APP_ROLE } from './constants.ts'
import { openTestDatabase, type TestDatabase } from './database.ts'

export interface TestApp {
  app: App
  config: Config
  database: TestDatabase
  /** Every log line written, parsed (only when captureLogs was asked for). */
  logs: Record<string, unknown>[]
  close(): Promise<void>
}

export interface TestAppOptions {
  env?: Record<string, string>
  captureLogs?: boolean
}

export function testConfig(env: Record<string, string> = {}): Config {
  return parseConfig({
    RAMPART_DATA_DIR: mkdtempSync(join(tmpdir(), 'rampart-test-')),
    RAMPART_DATABASE_APP_ROLE: TEST_APP_ROLE,
    // Tests make many requests from one address; limits get their own tests with low values.
    RAMPART_RATE_LIMIT_GLOBAL: '100000',
    RAMPART_RATE_LIMIT_SIGN_IN: '100000',
    RAMPART_RATE_LIMIT_SIGN_UP: '100000',
    ...env,
  })
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = testConfig(options.env)
  const database = await openTestDatabase()
  const logs: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>)
      }
      done()
    },
  })
  const logger = options.captureLogs ? { ...(loggerOptions('debug') as object), stream } : false
  const app = await buildApp({ config, db: database.handle, logger })
  await app.ready()
  return {
    app,
    config,
    database,
    logs,
    async close() {
      await app.close()
      await database.dispose()
    },
  }
}

/** A test app whose context (database handle and keyring) and key services the test holds too. */
export interface KeyedTestApp extends TestApp {
  ctx: ServiceContext
  keys: KeyServices
}

export async function createKeyedTestApp(): Promise<KeyedTestApp> {
  const config = testConfig()
  const database = await openTestDatabase()
  const keys = await openKeyServices(config.keys)
  const app = await buildApp({ config, db: database.handle, logger: false, keys })
  await app.ready()
  return {
    app,
    config,
    database,
    logs: [],
    ctx: { config, db: database.handle, keys: keys.keyring },
    keys,
    async close() {
      await app.close()
      await keys.close()
      await database.dispose()
    },
  }
}

let counter = 0
/** A slug unique within the test run. */
export function uniqueSlug(prefix = 'org'): string {
  counter += 1
  return `${prefix}-${process.pid}-${counter}`
}

export const STRONG_PASSWORD = 'velvet-Harbour-71-quietly-Orbit'

export interface SignedUp {
  tenant: { id: string; slug: string; name: string; region: string }
  owner: { id: string; email: string; role: string }
  password: string
}

export async function signUp(
  app: App,
  overrides: Partial<{ slug: string; organisationName: string; ownerEmail: string }> = {},
): Promise<SignedUp> {
  const slug = overrides.slug ?? uniqueSlug()
  const body = {
    organisationName: overrides.organisationName ?? `Org ${slug}`,
    slug,
    ownerEmail: overrides.ownerEmail ?? `owner@${slug}.example`,
    ownerPassword: STRONG_PASSWORD,
  }
  const res = await app.inject({ method: 'POST', url: '/api/v1/signup', payload: body })
  if (res.statusCode !== 201) throw new Error(`sign-up failed: ${res.statusCode} ${res.body}`)
  return { ...(res.json() as Omit<SignedUp, 'password'>), password: STRONG_PASSWORD }
}

export interface SignedIn {
  token: string
  sessionId: string
  authorization: { authorization: string }
}

/** Signs in as a bearer client and returns the token and ready-made header. */
export async function signInBearer(app: App, who: SignedUp): Promise<SignedIn> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    payload: {
      tenant: who.tenant.slug,
      email: who.owner.email,
      password: who.password,
      mode: 'bearer',
    },
  })
  if (res.statusCode !== 201) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`)
  const body = res.json() as { token: string; session: { id: string } }
  return {
    token: body.token,
    sessionId: body.session.id,
    authorization: { authorization: `Bearer ${body.token}` },
  }
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** A request as `who`, with `payload` as its JSON body when given. */
export function call(
  t: Pick<TestApp, 'app'>,
  who: SignedIn,
  method: Method,
  url: string,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url,
    headers: who.authorization,
    ...(payload === undefined ? {} : { payload: payload as object }),
  })
}

export function expectStatus(res: LightMyRequestResponse, status: number): void {
  if (res.statusCode !== status) {
    throw new Error(`expected ${status}: ${res.statusCode} ${res.body}`)
  }
}
