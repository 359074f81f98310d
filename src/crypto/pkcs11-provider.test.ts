// KMS-1 against a real PKCS#11 token: a SoftHSM2 token this file initialises in a temp directory.
// Skipped when SoftHSM2 is not installed, except under RAMPART_REQUIRE_SOFTHSM=1 (CI), where
// softHsmSkipReason throws and the file fails.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import pkcs11js, { type PKCS11 } from 'pkcs11js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createSoftHsmToken,
  type SoftHsmToken,
  softHsmSkipReason,
} from '../../test/support/softhsm.ts'
import { type KeyProvider, KeyProviderError, type WrappedKey } from './key-provider.ts'
import { openPkcs11Provider } from './pkcs11-provider.ts'

const skipReason = softHsmSkipReason()

function flipBit(wrapped: WrappedKey, index: number): WrappedKey {
  const bytes = Buffer.from(wrapped.wrapped)
  bytes[index] = (bytes[index] ?? 0) ^ 0x01
  return { masterKeyId: wrapped.masterKeyId, wrapped: bytes }
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (err) {
    if (err instanceof KeyProviderError) return err.reason
    throw err
  }
  throw new Error('expected a KeyProviderError')
}

function pkcs11Code(fn: () => unknown): number | 'no error' {
  try {
    fn()
  } catch (err) {
    if (err instanceof pkcs11js.Pkcs11Error) return err.code
    // Some pkcs11js methods (C_SetAttributeValue) throw a plain Error "CKR_NAME:code".
    const match = err instanceof Error ? /\bCKR_\w+:(\d+)/.exec(err.message) : null
    if (match) return Number(match[1])
    throw err
  }
  return 'no error'
}

describe.skipIf(skipReason !== null)('KMS-1 PKCS#11 master key in SoftHSM2', () => {
  let token: SoftHsmToken
  const providers: KeyProvider[] = []

  beforeAll(() => {
    token = createSoftHsmToken('rampart-kms1')
  })

  const closeAll = async () => {
    for (const provider of providers.splice(0)) await provider.close()
  }

  afterAll(async () => {
    await closeAll()
    token?.cleanup()
  })

  // Each test uses its own label prefix: its own set of master key versions on the one token.
  const open = async (keyLabelPrefix: string, pin = token.pin) => {
    const provider = await openPkcs11Provider({
      library: token.library,
      tokenLabel: token.tokenLabel,
      pin,
      keyLabelPrefix,
    })
    providers.push(provider)
    return provider
  }

  /** A session of our own on the token, outside the provider; every provider must be closed. */
  const withRawSession = (fn: (pkcs11: PKCS11, session: Buffer, loggedIn: boolean) => void) => {
    const pkcs11 = new pkcs11js.PKCS11()
    pkcs11.load(token.library)
    pkcs11.C_Initialize()
    try {
      const slot = pkcs11
        .C_GetSlotList(true)
        .find((s) => pkcs11.C_GetTokenInfo(s).label.trim() === token.tokenLabel)
      if (!slot) throw new Error('token not found')
      const session = pkcs11.C_OpenSession(
        slot,
        pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION,
      )
      fn(pkcs11, session, false)
      pkcs11.C_Login(session, pkcs11js.CKU_USER, token.pin)
      fn(pkcs11, session, true)
      pkcs11.C_Logout(session)
      pkcs11.C_CloseSession(session)
    } finally {
      pkcs11.C_Finalize()
      pkcs11.close()
    }
  }

  const findByLabel = (pkcs11: PKCS11, session: Buffer, label: string): Buffer[] => {
    pkcs11.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: label }])
    try {
      return pkcs11.C_FindObjects(session, 10)
    } finally {
      pkcs11.C_FindObjectsFinal(session)
    }
  }

  it('wraps and unwraps a tenant key with AES-256-GCM inside the token', async () => {
    const provider = await open('roundtrip')
    expect(provider.describe()).toEqual({
      kind: 'pkcs11',
      location: `${token.library} token "rampart-kms1"`,
      nonExtractable: true,
    })
    expect(await provider.listMasterKeys()).toEqual([
      { id: 'roundtrip-1', active: true, createdAt: null },
    ])

    const key = randomBytes(32)
    const context = Buffer.from('tenant-a:1')
    const wrapped = await provider.wrap(key, context)
    expect(wrapped.masterKeyId).toBe('roundtrip-1')
    // iv(12) || ciphertext(32) || tag(16); the key's bytes appear nowhere in it.
    expect(wrapped.wrapped).toHaveLength(12 + 32 + 16)
    expect(wrapped.wrapped.includes(key)).toBe(false)
    expect(wrapped.wrapped.subarray(12, 44).equals(key)).toBe(false)
    // A fresh IV per wrap: the same key wraps differently each time.
    const again = await provider.wrap(key, context)
    expect(again.wrapped.subarray(0, 12).equals(wrapped.wrapped.subarray(0, 12))).toBe(false)
    expect(again.wrapped.equals(wrapped.wrapped)).toBe(false)

    expect((await provider.unwrap(wrapped, context)).equals(key)).toBe(true)
    expect((await provider.unwrap(again, context)).equals(key)).toBe(true)
    // An empty context is still associated data (of length zero), not a missing parameter.
    const empty = await provider.wrap(key, Buffer.alloc(0))
    expect((await provider.unwrap(empty, Buffer.alloc(0))).equals(key)).toBe(true)
  })

  it('refuses another context, altered bytes and unknown master keys', async () => {
    const provider = await open('tamper')
    const key = randomBytes(32)
    const context = Buffer.from('tenant-a:1')
    const wrapped = await provider.wrap(key, context)

    expect(await refusal(provider.unwrap(wrapped, Buffer.from('tenant-b:1')))).toBe('unwrap_failed')
    expect(await refusal(provider.unwrap(wrapped, Buffer.from('tenant-a:2')))).toBe('unwrap_failed')
    // One flipped bit in the IV, the ciphertext and the tag.
    for (const index of [0, 11, 12, 30, 43, 44, 59]) {
      expect(await refusal(provider.unwrap(flipBit(wrapped, index), context))).toBe('unwrap_failed')
    }
    const truncated = { ...wrapped, wrapped: wrapped.wrapped.subarray(0, 27) }
    expect(await refusal(provider.unwrap(truncated, context))).toBe('unwrap_failed')
    const shortened = { ...wrapped, wrapped: wrapped.wrapped.subarray(0, 50) }
    expect(await refusal(provider.unwrap(shortened, context))).toBe('unwrap_failed')

    for (const masterKeyId of ['tamper-2', 'tamper-0', 'other-1', 'tamper', '']) {
      expect(await refusal(provider.unwrap({ ...wrapped, masterKeyId }, context))).toBe(
        'unknown_master_key',
      )
    }
    // The failed decryptions left the session usable.
    expect((await provider.unwrap(wrapped, context)).equals(key)).toBe(true)
  })

  it('keeps the master key inside the token: sensitive, never extractable, private', async () => {
    const provider = await open('extract')
    const wrapped = await provider.wrap(randomBytes(32), Buffer.from('t'))
    expect(wrapped.masterKeyId).toBe('extract-1')
    await closeAll()

    withRawSession((pkcs11, session, loggedIn) => {
      const handles = findByLabel(pkcs11, session, 'extract-1')
      if (!loggedIn) {
        // CKA_PRIVATE: without the PIN the key is not even visible.
        expect(handles).toHaveLength(0)
        return
      }
      expect(handles).toHaveLength(1)
      const handle = handles[0] as Buffer
      const read = (type: number) =>
        pkcs11.C_GetAttributeValue(session, handle, [{ type }])[0]?.value as Buffer
      const flag = (type: number) => read(type).readUInt8(0) === 1
      expect(flag(pkcs11js.CKA_EXTRACTABLE)).toBe(false)
      expect(flag(pkcs11js.CKA_SENSITIVE)).toBe(true)
      expect(flag(pkcs11js.CKA_NEVER_EXTRACTABLE)).toBe(true)
      expect(flag(pkcs11js.CKA_ALWAYS_SENSITIVE)).toBe(true)
      expect(flag(pkcs11js.CKA_LOCAL)).toBe(true) // generated on the token, never imported
      expect(flag(pkcs11js.CKA_TOKEN)).toBe(true)
      expect(flag(pkcs11js.CKA_PRIVATE)).toBe(true)
      expect(flag(pkcs11js.CKA_ENCRYPT)).toBe(true)
      expect(flag(pkcs11js.CKA_WRAP)).toBe(false)
      expect(read(pkcs11js.CKA_KEY_TYPE).readUInt32LE(0)).toBe(pkcs11js.CKK_AES)
      expect(read(pkcs11js.CKA_VALUE_LEN).readUInt32LE(0)).toBe(32)
      expect(read(pkcs11js.CKA_ID).toString()).toBe('extract-1')

      // The key's value cannot be read, even by the logged-in user ...
      expect(
        pkcs11Code(() =>
          pkcs11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_VALUE }]),
        ),
      ).toBe(pkcs11js.CKR_ATTRIBUTE_SENSITIVE)
      // ... nor made extractable after the fact ...
      expect(
        pkcs11Code(() =>
          pkcs11.C_SetAttributeValue(session, handle, [
            { type: pkcs11js.CKA_EXTRACTABLE, value: true },
          ]),
        ),
      ).not.toBe('no error')
      expect(flag(pkcs11js.CKA_EXTRACTABLE)).toBe(false)
      // ... nor exported wrapped under a key the caller controls.
      const exportKey = pkcs11.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
        { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_WRAP, value: true },
      ])
      expect(
        pkcs11Code(() =>
          pkcs11.C_WrapKey(
            session,
            { mechanism: pkcs11js.CKM_AES_KEY_WRAP },
            exportKey,
            handle,
            Buffer.alloc(64),
          ),
        ),
      ).toBe(pkcs11js.CKR_KEY_UNEXTRACTABLE)
    })
  })

  it('rotates: a new active version, old wraps still unwrap until their version is destroyed', async () => {
    const provider = await open('rotate')
    const oldKey = randomBytes(32)
    const context = Buffer.from('tenant-a:1')
    const oldWrapped = await provider.wrap(oldKey, context)
    expect(oldWrapped.masterKeyId).toBe('rotate-1')

    expect(await provider.createMasterKey()).toEqual({
      id: 'rotate-2',
      active: true,
      createdAt: null,
    })
    expect(await provider.listMasterKeys()).toEqual([
      { id: 'rotate-1', active: false, createdAt: null },
      { id: 'rotate-2', active: true, createdAt: null },
    ])
    expect((await provider.unwrap(oldWrapped, context)).equals(oldKey)).toBe(true)

    const newKey = randomBytes(32)
    const newWrapped = await provider.wrap(newKey, context)
    expect(newWrapped.masterKeyId).toBe('rotate-2')
    expect((await provider.unwrap(newWrapped, context)).equals(newKey)).toBe(true)
    // A wrap made under rotate-1 does not unwrap under rotate-2.
    expect(
      await refusal(provider.unwrap({ ...oldWrapped, masterKeyId: 'rotate-2' }, context)),
    ).toBe('unwrap_failed')

    expect(await refusal(provider.destroyMasterKey('rotate-2'))).toBe('active_master_key')
    expect(await refusal(provider.destroyMasterKey('rotate-3'))).toBe('unknown_master_key')
    expect(await refusal(provider.destroyMasterKey('roundtrip-1'))).toBe('unknown_master_key')
    await provider.destroyMasterKey('rotate-1')
    expect(await provider.listMasterKeys()).toEqual([
      { id: 'rotate-2', active: true, createdAt: null },
    ])
    expect(await refusal(provider.unwrap(oldWrapped, context))).toBe('unknown_master_key')
    expect(await refusal(provider.destroyMasterKey('rotate-1'))).toBe('unknown_master_key')
    expect((await provider.unwrap(newWrapped, context)).equals(newKey)).toBe(true)
  })

  it('finds its keys again after a restart, and shares the library between providers', async () => {
    const first = await open('reopen')
    const key = randomBytes(32)
    const context = Buffer.from('tenant-a:1')
    const wrapped = await first.wrap(key, context)
    // Close everything: the library is finalized and the next open reads the token from disk.
    await closeAll()

    const second = await open('reopen')
    expect(await second.listMasterKeys()).toEqual([
      { id: 'reopen-1', active: true, createdAt: null },
    ])
    expect((await second.unwrap(wrapped, context)).equals(key)).toBe(true)

    // A second provider in the same process shares the initialised library and the login;
    // closing it does not log the first one out.
    const third = await open('reopen')
    expect((await third.unwrap(wrapped, context)).equals(key)).toBe(true)
    await third.close()
    expect((await second.unwrap(wrapped, context)).equals(key)).toBe(true)
    expect(await refusal(third.wrap(key, context))).toBe('provider_unavailable')
  })

  it('sees a version another process created while it was open', async () => {
    const provider = await open('shared')
    const context = Buffer.from('tenant-a:1')
    const before = await provider.wrap(randomBytes(32), context)
    expect(before.masterKeyId).toBe('shared-1')

    // What `rampart keys rotate` does while the server runs: another process, same token.
    const module = fileURLToPath(new URL('./pkcs11-provider.ts', import.meta.url))
    const script = `
      const { openPkcs11Provider } = await import(${JSON.stringify(module)})
      const provider = await openPkcs11Provider(JSON.parse(process.env.P11_OPTIONS))
      const created = await provider.createMasterKey()
      await provider.close()
      console.log(created.id)
    `
    const output = execFileSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        env: {
          ...process.env,
          P11_OPTIONS: JSON.stringify({
            library: token.library,
            tokenLabel: token.tokenLabel,
            pin: token.pin,
            keyLabelPrefix: 'shared',
          }),
        },
        encoding: 'utf8',
      },
    )
    expect(output.trim()).toBe('shared-2')

    const after = await provider.wrap(randomBytes(32), context)
    expect(after.masterKeyId).toBe('shared-2')
    expect((await provider.listMasterKeys()).map((k) => [k.id, k.active])).toEqual([
      ['shared-1', false],
      ['shared-2', true],
    ])
  })

  it('refuses a wrong PIN and an unknown token', async () => {
    // With nothing open: the token itself rejects the PIN.
    await closeAll()
    expect(await refusal(open('pin', 'not-the-pin'))).toBe('provider_unavailable')
    // With a provider open (the token would not ask again): the provider compares the PIN.
    await open('pin')
    expect(await refusal(open('pin', 'not-the-pin'))).toBe('provider_unavailable')
    await expect(
      openPkcs11Provider({
        library: token.library,
        tokenLabel: 'no-such-token',
        pin: token.pin,
        keyLabelPrefix: 'pin',
      }),
    ).rejects.toMatchObject({ reason: 'provider_unavailable' })
    await expect(
      openPkcs11Provider({
        library: `${token.dir}/missing.so`,
        tokenLabel: token.tokenLabel,
        pin: token.pin,
        keyLabelPrefix: 'pin',
      }),
    ).rejects.toMatchObject({ reason: 'provider_unavailable' })
  })
})
