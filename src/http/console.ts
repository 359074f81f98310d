// The web console (docs/console.md): the files Vite built into web/dist, served at `/`. Each
// screen's path answers index.html (the client routes from there), hashed files under /assets/
// are cached for a year, index.html never. No inline script or style anywhere (SEC-2's CSP).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { HttpErrors } from './errors.ts'

/**
 * The console's screens (web/src/app.tsx). Listed rather than caught by a wildcard, so that any
 * other path still gets an honest 404 and every served path is in docs/permissions.md.
 */
export const CONSOLE_PAGES = [
  '/',
  '/sign-in',
  '/sign-up',
  '/reset-password',
  '/accept-invitation',
  '/verify-email',
  '/account',
  '/account/mfa',
  '/admin',
  '/admin/members',
  '/admin/roles',
  '/admin/groups',
  '/admin/groups/:groupId',
  '/admin/network',
  '/admin/api-keys',
  '/admin/access-reviews',
  '/admin/access-reviews/:reviewId',
  '/admin/security',
  '/audit',
  '/vault',
  '/data',
  '/data/collections/:collectionId',
  '/data/collections/:collectionId/records',
  '/data/collections/:collectionId/import',
  '/data/recently-deleted',
  '/dashboards',
  '/dashboards/:dashboardId',
] as const

const CONSOLE_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url))

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
}

/** Vite's hashed file names: nothing else (no path separators, no dot files) is ever served. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,200}$/

interface Asset {
  type: string
  body: Buffer
  /** Worth it for text; compressed once at load, not per request. */
  gzip: Buffer | null
}

interface ConsoleBuild {
  index: Buffer
  assets: Map<string, Asset>
}

function loadBuild(dir: string): ConsoleBuild | null {
  const indexPath = join(dir, 'index.html')
  if (!existsSync(indexPath)) return null
  const assets = new Map<string, Asset>()
  const assetDir = join(dir, 'assets')
  for (const name of existsSync(assetDir) ? readdirSync(assetDir) : []) {
    const type = TYPES[extname(name)]
    if (!type || !ASSET_NAME.test(name)) continue
    const body = readFileSync(join(assetDir, name))
    const compressible = type.startsWith('text/') || type.includes('svg') || type.includes('json')
    assets.set(name, { type, body, gzip: compressible ? gzipSync(body, { level: 9 }) : null })
  }
  return { index: readFileSync(indexPath), assets }
}

const NOT_BUILT = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Rampart</title></head>
<body>
<main>
<h1>Rampart</h1>
<p>The console is not built. Run <code>npm run build:web</code> (or <code>npm start</code>, which
builds it), then reload. The API works meanwhile: see the <a href="/docs">API reference</a>.</p>
</main>
</body>
</html>
`

function acceptsGzip(request: FastifyRequest): boolean {
  return /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))
}

export const consoleRoutes: FastifyPluginAsync<{ dist?: string }> = async (app, options) => {
  const dist = options.dist ?? CONSOLE_DIST
  // Read on first use (most apps built in tests never serve the console), and looked for again
  // while missing, so a build made after the server started is served without a restart.
  let build: ConsoleBuild | null = null
  const current = () => {
    if (!build) build = loadBuild(dist)
    return build
  }

  const page = async (_request: FastifyRequest, reply: FastifyReply) => {
    const built = current()
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache')
    if (!built) return reply.status(503).send(NOT_BUILT)
    return reply.send(built.index)
  }
  for (const path of CONSOLE_PAGES) app.get(path, { schema: { hide: true } }, page)

  app.get<{ Params: { file: string } }>(
    '/assets/:file',
    { schema: { hide: true } },
    async (request, reply) => {
      const asset = ASSET_NAME.test(request.params.file)
        ? current()?.assets.get(request.params.file)
        : undefined
      if (!asset) throw HttpErrors.ROUTE_NOT_FOUND(`No console file ${request.params.file}`)
      reply
        .type(asset.type)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('vary', 'accept-encoding')
      if (asset.gzip && acceptsGzip(request)) {
        return reply.header('content-encoding', 'gzip').send(asset.gzip)
      }
      return reply.send(asset.body)
    },
  )
}
