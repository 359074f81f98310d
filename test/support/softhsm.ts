// A throwaway SoftHSM2 token for the PKCS#11 provider's tests (KMS-1): its own config file and
// token directory under a temp directory, so a test never touches the machine's tokens.
//
// SoftHSM2 reads SOFTHSM2_CONF when the library is initialised (C_Initialize), so
// createSoftHsmToken sets it in process.env before any provider opens the library. One token per
// test file: every provider in the file must be closed (C_Finalize) before another token's
// config can take effect.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const DEFAULT_LIBRARY = '/usr/lib/softhsm/libsofthsm2.so'
const SOFTHSM_UTIL = 'softhsm2-util'

export interface SoftHsmToken {
  library: string
  tokenLabel: string
  /** User PIN. */
  pin: string
  soPin: string
  /** The temp directory holding softhsm2.conf and tokens/. */
  dir: string
  /** Removes the temp directory; close every provider first. */
  cleanup(): void
}

/** The SoftHSM2 library: RAMPART_TEST_SOFTHSM_LIBRARY when set (to test the skip), else Debian's. */
export function softHsmLibrary(): string {
  return process.env.RAMPART_TEST_SOFTHSM_LIBRARY || DEFAULT_LIBRARY
}

/** CI sets RAMPART_REQUIRE_SOFTHSM=1: there a missing SoftHSM2 fails the tests, never skips them. */
export function softHsmRequired(): boolean {
  return process.env.RAMPART_REQUIRE_SOFTHSM === '1'
}

function utilMissing(): boolean {
  try {
    execFileSync(SOFTHSM_UTIL, ['--version'], { stdio: 'ignore' })
    return false
  } catch {
    return true
  }
}

/**
 * Null when SoftHSM2 can be used; otherwise why not, for `describe.skipIf`. Throws instead of
 * returning a reason when RAMPART_REQUIRE_SOFTHSM=1, so the test file fails.
 */
export function softHsmSkipReason(): string | null {
  const library = softHsmLibrary()
  let reason: string | null = null
  if (!existsSync(library)) {
    reason = `SoftHSM2 library ${library} not found (apt-get install softhsm2)`
  } else if (utilMissing()) {
    reason = `${SOFTHSM_UTIL} not found on PATH (apt-get install softhsm2)`
  }
  if (reason && softHsmRequired()) {
    throw new Error(`RAMPART_REQUIRE_SOFTHSM=1 but ${reason}`)
  }
  return reason
}

/** Initialises a fresh token in a new temp directory and points SOFTHSM2_CONF at it. */
export function createSoftHsmToken(label = 'rampart-test'): SoftHsmToken {
  const library = softHsmLibrary()
  const dir = mkdtempSync(join(tmpdir(), 'rampart-softhsm-'))
  const tokens = join(dir, 'tokens')
  mkdirSync(tokens, { mode: 0o700 })
  const conf = join(dir, 'softhsm2.conf')
  writeFileSync(
    conf,
    [
      `directories.tokendir = ${tokens}`,
      'objectstore.backend = file',
      'log.level = ERROR',
      'slots.removable = false',
      '',
    ].join('\n'),
    { mode: 0o600 },
  )
  process.env.SOFTHSM2_CONF = conf
  const pin = randomBytes(8).toString('hex')
  const soPin = randomBytes(8).toString('hex')
  try {
    execFileSync(
      SOFTHSM_UTIL,
      ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin],
      { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: 'pipe' },
    )
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? ''
    throw new Error(`${SOFTHSM_UTIL} --init-token failed: ${(err as Error).message} ${stderr}`)
  }
  return {
    library,
    tokenLabel: label,
    pin,
    soPin,
    dir,
    cleanup() {
      rmSync(dir, { recursive: true, force: true })
      if (process.env.SOFTHSM2_CONF === conf) delete process.env.SOFTHSM2_CONF
    },
  }
}
