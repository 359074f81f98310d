// Builds the console into web/dist when the build is missing or older than its sources, so that
// `npm start` and the browser tests always serve the current console, and a start with nothing
// changed costs a few file stats. `node --import tsx web/build.ts [--if-stale]`.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const WEB = fileURLToPath(new URL('.', import.meta.url))
const CONSOLE_DIST = join(WEB, 'dist')
const BUILT_MARK = join(CONSOLE_DIST, 'index.html')
const LOCK = join(WEB, '.build-lock')
// The audit proof verifier is shared with the server (LOG-2): the console is built from it too.
const SOURCES = [
  'index.html',
  'src',
  'vite.config.ts',
  'tsconfig.json',
  '../src/modules/audit/proof-verifier.ts',
]

function newestMtime(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)))
  return newest
}

/** True when web/dist is missing or any source under web/ changed after it was built. */
function consoleBuildIsStale(): boolean {
  if (!existsSync(BUILT_MARK)) return true
  const built = statSync(BUILT_MARK).mtimeMs
  return SOURCES.some((source) => newestMtime(join(WEB, source)) > built)
}

export async function buildConsole(): Promise<void> {
  // Imported here: a production install without dev dependencies still starts on a built console.
  const { build } = await import('vite')
  // Production whoever builds: under vitest NODE_ENV is `test`, which would otherwise give React's
  // development build (with StrictMode's double effects) to the browser tests.
  await build({
    configFile: join(WEB, 'vite.config.ts'),
    mode: 'production',
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    logLevel: 'warn',
  })
}

/**
 * Builds when stale. Several processes may ask at once (test workers): one takes the lock (an
 * atomic mkdir), the others wait for it and then find the build fresh.
 */
export async function ensureConsoleBuilt(): Promise<'fresh' | 'built'> {
  if (!consoleBuildIsStale()) return 'fresh'
  for (;;) {
    try {
      mkdirSync(LOCK)
      break
    } catch {
      // A lock older than two minutes belongs to a build that died.
      const since = statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs
      if (since !== undefined && Date.now() - since > 120_000) {
        rmSync(LOCK, { recursive: true, force: true })
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  try {
    if (!consoleBuildIsStale()) return 'fresh'
    await buildConsole()
    return 'built'
  } finally {
    rmSync(LOCK, { recursive: true, force: true })
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now()
  try {
    if (process.argv.includes('--if-stale')) {
      if ((await ensureConsoleBuilt()) === 'fresh') process.exit(0)
    } else {
      await buildConsole()
    }
    console.log(`console built into web/dist in ${Math.round(performance.now() - started)} ms`)
  } catch (err) {
    const missingVite = (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND'
    if (missingVite) {
      // An install without dev dependencies: the API still starts; the screens say what to do.
      console.warn(
        existsSync(BUILT_MARK)
          ? 'vite is not installed (dev dependencies omitted): serving the existing console build'
          : 'vite is not installed and the console is not built: the API starts without it',
      )
    } else {
      console.error('the console could not be built:', err)
      process.exit(1)
    }
  }
}
