import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Builds one migrated PGlite snapshot (or checks PostgreSQL) before any test file runs.
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Test files in one worker share loaded modules: each file still builds its own app and
    // database, but no longer pays for importing Fastify, Kysely and PGlite again (half the time).
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Argon2 and PGlite are CPU-bound; more workers than cores only adds contention.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
})
