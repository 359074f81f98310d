// KMS-1: the whole key path with the master key in an HSM: `tenant create` wraps the new
// tenant's key inside a SoftHSM2 token, `keys rewrap` rotates the token's master key, and field
// values written before still decrypt. Skipped without SoftHSM2 except under
// RAMPART_REQUIRE_SOFTHSM=1 (CI), where a missing SoftHSM2 fails the file.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createSoftHsmToken,
  type SoftHsmToken,
  softHsmSkipReason,
} from '../../test/support/softhsm.ts'
import { parseConfig } from '../config/config.ts'
import { decryptField, encryptField } from '../crypto/field-encryption.ts'
import { withKeyServices } from '../crypto/key-services.ts'
import type { CliIo } from './io.ts'
import { main } from './main.ts'

const skipReason = softHsmSkipReason()
let token: SoftHsmToken
let env: Record<string, string>

beforeAll(() => {
  if (skipReason) return
  token = createSoftHsmToken('rampart-cli')
  env = {
    RAMPART_DATA_DIR: mkdtempSync(join(tmpdir(), 'rampart-pkcs11-cli-')),
    RAMPART_LOG_LEVEL: 'silent',
    RAMPART_KEY_PROVIDER: 'pkcs11',
    RAMPART_PKCS11_LIBRARY: token.library,
    RAMPART_PKCS11_TOKEN_LABEL: token.tokenLabel,
    RAMPART_PKCS11_PIN: token.pin,
  }
})
afterAll(() => token?.cleanup())

async function rampart(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = []
  const err: string[] = []
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), readStdin: async () => '' }
  return { code: await main(['node', 'rampart', ...args], io, env), out, err }
}

describe.skipIf(skipReason !== null)('KMS-1 keys with the master key in a PKCS#11 token', () => {
  it('KMS-1: tenant keys are wrapped in the token, survive master rotation, and no key file exists', async () => {
    const made = await rampart([
      'tenant',
      'create',
      '--slug',
      'hsm-acme',
      '--name',
      'HSM',
      '--owner-email',
      'o@hsm.test',
    ])
    expect(made.code).toBe(0)
    const tenantId = /\(([0-9a-f-]{36})\)/.exec(made.out[0] as string)?.[1] as string

    const status = await rampart(['keys', 'status'])
    expect(status.out[0]).toBe(
      `master key provider: pkcs11 (${token.library} token "${token.tokenLabel}")`,
    )
    expect(status.out).toContain('  master rampart-master-1 (active)')
    expect(status.out).toContain('  v1 active under rampart-master-1, 0 field(s)')
    // No master key on disk: only the token holds it.
    expect(readdirSync(env.RAMPART_DATA_DIR as string)).not.toContain('keys')

    const config = parseConfig(env)
    const ref = { tenantId, table: 'records', column: 'email', rowId: tenantId }
    const sealed = await withKeyServices(config.keys, (k) =>
      encryptField(k.keyring, ref, 'in the HSM'),
    )

    const rewrap = await rampart(['keys', 'rewrap', '--destroy-old'])
    expect(rewrap.out).toEqual([
      'master key rampart-master-2 is active; 1 tenant key(s) rewrapped',
      'destroyed rampart-master-1',
    ])
    const plain = await withKeyServices(config.keys, (k) => decryptField(k.keyring, ref, sealed))
    expect(plain.toString()).toBe('in the HSM')
    const stored = readFileSync(
      join(env.RAMPART_DATA_DIR as string, 'keystore', `${tenantId}.json`),
      'utf8',
    )
    expect(JSON.parse(stored).versions[0].masterKeyId).toBe('rampart-master-2')
  })

  it('KMS-1: a wrong PIN is refused with a clear message, not a crash', async () => {
    const out: string[] = []
    const err: string[] = []
    const io: CliIo = {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      readStdin: async () => '',
    }
    const code = await main(['node', 'rampart', 'keys', 'status'], io, {
      ...env,
      RAMPART_PKCS11_PIN: '000000',
    })
    expect(code).not.toBe(0)
    expect([...out, ...err].join('\n')).toMatch(/provider_unavailable|PIN/i)
  })
})
