// The console's build (docs/console.md). Output goes to web/dist, which the server serves at `/`
// (src/http/console.ts). Settings here keep the output inside the strict CSP (SEC-2).
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // No public/ folder: every file is hashed under /assets/, the only static path the server has.
  publicDir: false,
  // React's automatic JSX runtime through esbuild: no Babel plugin needed for a production build.
  // jsxDev off whatever NODE_ENV the builder runs under (vitest's is `test`; see web/build.ts).
  esbuild: { jsx: 'automatic', jsxDev: false },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // SEC-2: nothing inlined as data: URLs (font-src is 'self'), no inline module-preload shim.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    target: 'es2022',
    reportCompressedSize: false,
  },
  server: {
    // `npm run dev:web`: the API of a local `npm start` behind Vite's dev server.
    proxy: { '/api': { target: 'https://localhost:8443', secure: false } },
  },
})
