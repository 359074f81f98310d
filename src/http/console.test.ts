// SEC-2: the console's files are served under the strict CSP with no inline script or style,
// index.html for every screen and never cached, hashed assets cached for a year, and nothing
// outside web/dist/assets reachable.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../test/support/app.ts'
import { ensureConsoleBuilt } from '../../web/build.ts'
import { CONSOLE_PAGES, consoleRoutes } from './console.ts'

let t: TestApp
let index: string
beforeAll(async () => {
  await ensureConsoleBuilt()
  t = await createTestApp()
  index = (await t.app.inject({ method: 'GET', url: '/' })).body
}, 120_000)
afterAll(() => t.close())

const assetUrls = () => [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1])

describe('console pages', () => {
  it.each(CONSOLE_PAGES)(
    'SEC-2: %s answers the console index.html, not cached, under the CSP',
    async (url) => {
      const res = await t.app.inject({ method: 'GET', url })
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(res.headers['cache-control']).toBe('no-cache')
      expect(res.body).toBe(index)
      const csp = String(res.headers['content-security-policy'])
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain("style-src 'self'")
    },
  )

  it('SEC-2: the built index.html has no inline script, style or event handler', () => {
    expect(index).toContain('<div id="root"></div>')
    for (const [tag] of index.matchAll(/<script\b[^>]*>/g)) expect(tag).toMatch(/\bsrc="\/assets\//)
    expect(index).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/)
    expect(index).not.toMatch(/<style\b/i)
    expect(index).not.toMatch(/\sstyle=/i)
    expect(index).not.toMatch(/\son[a-z]+=/i)
  })

  it('another path is still an honest 404, not the console', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/no-such-screen' })
    expect(res.statusCode).toBe(404)
    expect(res.json().error.code).toBe('ROUTE_NOT_FOUND')
  })
})

describe('console assets', () => {
  it('every file index.html names is served with a year of immutable caching', async () => {
    const urls = assetUrls()
    expect(urls.length).toBeGreaterThanOrEqual(2)
    for (const url of urls) {
      const res = await t.app.inject({ method: 'GET', url: url as string })
      expect(res.statusCode).toBe(200)
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable')
      expect(res.headers['x-content-type-options']).toBe('nosniff')
    }
  })

  it('scripts go gzipped to clients that accept it, plain to others', async () => {
    const script = assetUrls().find((url) => url?.endsWith('.js')) as string
    const plain = await t.app.inject({ method: 'GET', url: script })
    const zipped = await t.app.inject({
      method: 'GET',
      url: script,
      headers: { 'accept-encoding': 'gzip, br' },
    })
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(zipped.headers['content-encoding']).toBe('gzip')
    expect(zipped.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2)
    expect(zipped.headers.vary).toContain('accept-encoding')
  })

  it.each([
    '/assets/nothing-here.js',
    '/assets/..%2Fpackage.json',
    '/assets/..%2F..%2Fpackage.json',
    '/assets/.hidden.js',
    '/assets/%2Fetc%2Fpasswd',
  ])('SEC-3: %s is a 404: only the built files are reachable', async (url) => {
    const res = await t.app.inject({ method: 'GET', url })
    expect(res.statusCode).toBe(404)
    expect(res.json().error.code).toBe('ROUTE_NOT_FOUND')
  })
})

describe('without a build', () => {
  it('the screens answer 503 with a page saying how to build the console', async () => {
    const app = Fastify()
    await app.register(consoleRoutes, { dist: mkdtempSync(join(tmpdir(), 'rampart-no-console-')) })
    const res = await app.inject({ method: 'GET', url: '/sign-in' })
    expect(res.statusCode).toBe(503)
    expect(res.body).toContain('npm run build:web')
    expect((await app.inject({ method: 'GET', url: '/assets/index.js' })).statusCode).toBe(404)
    await app.close()
  })

  it('a build made after the server started is served without a restart', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'rampart-late-console-'))
    const app = Fastify()
    await app.register(consoleRoutes, { dist })
    expect((await app.inject({ method: 'GET', url: '/sign-in' })).statusCode).toBe(503)
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Rampart</title>')
    const res = await app.inject({ method: 'GET', url: '/sign-in' })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('<title>Rampart</title>')
    await app.close()
  })
})
