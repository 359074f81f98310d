// The console's placeholder page: static HTML with no inline script or style (strict CSP).
import type { FastifyPluginAsync } from 'fastify'

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rampart</title>
</head>
<body>
<main>
<h1>Rampart</h1>
<p>The console is on its way. Until then, use the API: see the <a href="/docs">API reference</a>.</p>
<p><a href="/healthz">Health</a> · <a href="/readyz">Readiness</a></p>
</main>
</body>
</html>
`

export const consoleRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(PAGE),
  )
}
