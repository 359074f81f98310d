// KMS-1: the HSM master key provider. Each master key version is a non-extractable AES-256 key
// generated inside a PKCS#11 token, and tenant keys are wrapped by AES-256-GCM run inside the
// token (C_Encrypt / C_Decrypt), so the master key never exists in this process's memory: whoever
// copies the database, the config or a memory dump of Rampart still cannot unwrap a tenant key
// without the token and its PIN. Tested against SoftHSM2; any PKCS#11 v2.40 library that
// implements CKM_AES_GCM works the same way.
//
// Versions are labelled `${keyLabelPrefix}-${n}`; the highest n is the active one. Every call
// looks the versions up on the token again, so a version created or destroyed by another process
// (`rampart keys` while the server runs) is seen at once, as with the file provider.
import { randomBytes } from 'node:crypto'
import { existsSync, realpathSync } from 'node:fs'
import pkcs11js, { type GcmParams, type Mechanism, type PKCS11, type Template } from 'pkcs11js'
import {
  type KeyProvider,
  KeyProviderError,
  type MasterKeyInfo,
  type WrappedKey,
} from './key-provider.ts'

export interface Pkcs11Options {
  /** Path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  library: string
  /** Label of the token to use; exactly one initialised token must carry it. */
  tokenLabel: string
  /** User PIN of the token. */
  pin: string
  /** Master key versions are labelled `${keyLabelPrefix}-1`, `-2`, ... (callers use `rampart-master`). */
  keyLabelPrefix: string
}

type Handle = Buffer

const IV_BYTES = 12
const TAG_BYTES = 16
const AES_256_BYTES = 32

/** Errors that mean the token or session is gone, not that the wrapped bytes are bad. */
const UNAVAILABLE_CODES = new Set<number>([
  pkcs11js.CKR_CRYPTOKI_NOT_INITIALIZED,
  pkcs11js.CKR_DEVICE_ERROR,
  pkcs11js.CKR_DEVICE_MEMORY,
  pkcs11js.CKR_DEVICE_REMOVED,
  pkcs11js.CKR_HOST_MEMORY,
  pkcs11js.CKR_SESSION_CLOSED,
  pkcs11js.CKR_SESSION_HANDLE_INVALID,
  pkcs11js.CKR_TOKEN_NOT_PRESENT,
  pkcs11js.CKR_TOKEN_NOT_RECOGNIZED,
  pkcs11js.CKR_USER_NOT_LOGGED_IN,
])

/** The CKR_ code of a pkcs11js error. Not every pkcs11js method converts its errors to
 * Pkcs11Error (C_FindObjects and C_SetAttributeValue throw a plain Error "CKR_NAME:code"). */
function errorCode(err: unknown): number | null {
  if (err instanceof pkcs11js.Pkcs11Error) return err.code
  const match = err instanceof Error ? /\bCKR_\w+:(\d+)/.exec(err.message) : null
  return match ? Number(match[1]) : null
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

// A PKCS#11 library is initialised once per process and its login state is per token, not per
// session. Providers opened on the same library (tests, or the server and a CLI command in one
// process) share one initialisation and one login, counted, so closing one does not log out or
// finalize under another.
interface LoadedLibrary {
  key: string
  pkcs11: PKCS11
  users: number
  /** False when something else in this process had already initialised the library. */
  ownsInitialize: boolean
  /**
   * Per slot: how many of our sessions rely on the user login, the PIN it was made with, and
   * whether we made it (and so log out when the last of them closes).
   */
  logins: Map<string, { count: number; pin: string; ours: boolean }>
}

const libraries = new Map<string, LoadedLibrary>()

function acquireLibrary(library: string): LoadedLibrary {
  if (!existsSync(library)) {
    throw new KeyProviderError('provider_unavailable', `PKCS#11 library ${library} not found`)
  }
  const key = realpathSync(library)
  const existing = libraries.get(key)
  if (existing) {
    existing.users += 1
    return existing
  }
  const pkcs11 = new pkcs11js.PKCS11()
  try {
    pkcs11.load(library)
  } catch (err) {
    throw new KeyProviderError(
      'provider_unavailable',
      `PKCS#11 library ${library} cannot be loaded: ${describeError(err)}`,
    )
  }
  let ownsInitialize = true
  try {
    pkcs11.C_Initialize()
  } catch (err) {
    if (errorCode(err) === pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      ownsInitialize = false
    } else {
      pkcs11.close()
      throw new KeyProviderError(
        'provider_unavailable',
        `PKCS#11 library ${library} failed to initialise: ${describeError(err)}`,
      )
    }
  }
  const loaded: LoadedLibrary = { key, pkcs11, users: 1, ownsInitialize, logins: new Map() }
  libraries.set(key, loaded)
  return loaded
}

function releaseLibrary(loaded: LoadedLibrary): void {
  loaded.users -= 1
  if (loaded.users > 0) return
  libraries.delete(loaded.key)
  try {
    if (loaded.ownsInitialize) loaded.pkcs11.C_Finalize()
  } finally {
    loaded.pkcs11.close()
  }
}

function findSlot(pkcs11: PKCS11, tokenLabel: string, library: string): Handle {
  const matches = pkcs11.C_GetSlotList(true).filter((slot) => {
    const info = pkcs11.C_GetTokenInfo(slot)
    // Token labels are blank-padded to 32 bytes.
    return (
      (info.flags & pkcs11js.CKF_TOKEN_INITIALIZED) !== 0 &&
      info.label.replace(/[ \0]+$/, '') === tokenLabel
    )
  })
  const [slot] = matches
  if (!slot) {
    throw new KeyProviderError(
      'provider_unavailable',
      `no initialised token labelled "${tokenLabel}" in ${library}`,
    )
  }
  if (matches.length > 1) {
    throw new KeyProviderError(
      'provider_unavailable',
      `${matches.length} tokens are labelled "${tokenLabel}" in ${library}; labels must be unique`,
    )
  }
  return slot
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Opens a session on the token labelled `tokenLabel`, creating the first master key if none. */
export async function openPkcs11Provider(options: Pkcs11Options): Promise<KeyProvider> {
  const { library, tokenLabel, pin } = options
  const loaded = acquireLibrary(library)
  const { pkcs11 } = loaded
  let session: Handle | null = null
  let slotKey: string | null = null
  try {
    const slot = findSlot(pkcs11, tokenLabel, library)
    // Read-write: generating and destroying token objects needs it.
    session = pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION)
    const key = slot.toString('hex')
    const login = loaded.logins.get(key)
    if (login) {
      // Already logged in through another provider in this process: the token would not check
      // the PIN again, so we do.
      if (login.pin !== pin) {
        throw new KeyProviderError(
          'provider_unavailable',
          `PIN differs from the one token "${tokenLabel}" is logged in with`,
        )
      }
      login.count += 1
    } else {
      let ours = true
      try {
        pkcs11.C_Login(session, pkcs11js.CKU_USER, pin)
      } catch (err) {
        // Logged in by other code of this process that initialised the library itself.
        if (errorCode(err) === pkcs11js.CKR_USER_ALREADY_LOGGED_IN) ours = false
        else {
          throw new KeyProviderError(
            'provider_unavailable',
            `login to token "${tokenLabel}" failed: ${describeError(err)}`,
          )
        }
      }
      loaded.logins.set(key, { count: 1, pin, ours })
    }
    slotKey = key
    const provider = createProvider(loaded, session, slotKey, options)
    if ((await provider.listMasterKeys()).length === 0) await provider.createMasterKey()
    return provider
  } catch (err) {
    try {
      closeSession(loaded, session, slotKey)
    } catch {
      // Report why opening failed, not a failure to clean up after it.
    }
    if (err instanceof KeyProviderError) throw err
    throw new KeyProviderError(
      'provider_unavailable',
      `PKCS#11 token "${tokenLabel}" in ${library}: ${describeError(err)}`,
    )
  }
}

/** Logs out (when no other provider of this process still needs the login), closes, finalizes. */
function closeSession(loaded: LoadedLibrary, session: Handle | null, slotKey: string | null) {
  const { pkcs11 } = loaded
  try {
    if (session && slotKey) {
      const login = loaded.logins.get(slotKey)
      if (login) {
        login.count -= 1
        if (login.count === 0) {
          loaded.logins.delete(slotKey)
          try {
            if (login.ours) pkcs11.C_Logout(session)
          } catch {
            // Closing the last session logs out anyway.
          }
        }
      }
    }
    if (session) pkcs11.C_CloseSession(session)
  } finally {
    releaseLibrary(loaded)
  }
}

function createProvider(
  loaded: LoadedLibrary,
  session: Handle,
  slotKey: string,
  options: Pkcs11Options,
): KeyProvider {
  const { pkcs11 } = loaded
  const { library, tokenLabel, keyLabelPrefix } = options
  const labelPattern = new RegExp(`^${escapeRegExp(keyLabelPrefix)}-([1-9][0-9]*)$`)
  const labelOf = (n: number) => `${keyLabelPrefix}-${n}`
  let closed = false

  // Every pkcs11js call here is the synchronous variant and no method awaits between a *Init and
  // its completion, so calls on the one session never interleave (PKCS#11 allows one active
  // find, encrypt or decrypt operation per session).
  const ensureOpen = () => {
    if (closed) throw new KeyProviderError('provider_unavailable', 'PKCS#11 provider is closed')
  }

  const findObjects = (template: Template): Handle[] => {
    pkcs11.C_FindObjectsInit(session, template)
    const found: Handle[] = []
    try {
      for (;;) {
        const batch = pkcs11.C_FindObjects(session, 64)
        if (batch.length === 0) break
        found.push(...batch)
      }
    } finally {
      pkcs11.C_FindObjectsFinal(session)
    }
    return found
  }

  const AES_SECRET_KEY: Template = [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
    { type: pkcs11js.CKA_TOKEN, value: true },
  ]

  /**
   * Version number -> key objects. Normally one object per version; two processes creating the
   * next version at the same moment can leave two with one label, and then both are kept and
   * unwrap tries each (GCM's tag tells which key wrapped).
   */
  const versions = (): Map<number, Handle[]> => {
    const result = new Map<number, Handle[]>()
    for (const handle of findObjects(AES_SECRET_KEY)) {
      const [label] = pkcs11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_LABEL }])
      const match = labelPattern.exec(label?.value?.toString('utf8') ?? '')
      if (!match) continue
      const n = Number(match[1])
      result.set(n, [...(result.get(n) ?? []), handle])
    }
    return result
  }

  const activeVersion = (all: Map<number, Handle[]>): number | null =>
    all.size === 0 ? null : Math.max(...all.keys())

  const versionOf = (id: string): number | null => {
    const match = labelPattern.exec(id)
    return match ? Number(match[1]) : null
  }

  const handlesOf = (id: string): Handle[] => {
    const handles =
      versionOf(id) === null
        ? []
        : findObjects([...AES_SECRET_KEY, { type: pkcs11js.CKA_LABEL, value: id }])
    if (handles.length === 0) {
      throw new KeyProviderError(
        'unknown_master_key',
        `no master key ${id} on token "${tokenLabel}"`,
      )
    }
    return handles
  }

  /** AES-256-GCM inside the token; `context` is the associated data, the tag is 128 bits. */
  const gcm = (iv: Buffer, context: Buffer): Mechanism => {
    // CK_GCM_PARAMS as in PKCS#11 v2.40 (with ulIvBits), the layout SoftHSM2 expects.
    const parameter: GcmParams = {
      type: pkcs11js.CK_PARAMS_GCM,
      iv,
      ivBits: IV_BYTES * 8,
      aad: context,
      tagBits: TAG_BYTES * 8,
    }
    return { mechanism: pkcs11js.CKM_AES_GCM, parameter }
  }

  const info = (all: Map<number, Handle[]>): MasterKeyInfo[] => {
    const active = activeVersion(all)
    // createdAt is null: SoftHSM2 2.6 stores CKA_START_DATE but fails reading it back
    // (CKR_GENERAL_ERROR), and it would only have day precision.
    return [...all.keys()]
      .sort((a, b) => a - b)
      .map((n) => ({ id: labelOf(n), active: n === active, createdAt: null }))
  }

  const unavailable = (what: string, err: unknown) =>
    new KeyProviderError(
      'provider_unavailable',
      `${what} on token "${tokenLabel}" failed: ${describeError(err)}`,
    )

  /** Runs one operation on the open session; a failure that is not ours is provider_unavailable. */
  const run = <T>(what: string, operation: () => T): T => {
    ensureOpen()
    try {
      return operation()
    } catch (err) {
      if (err instanceof KeyProviderError) throw err
      throw unavailable(what, err)
    }
  }

  return {
    async wrap(key, context): Promise<WrappedKey> {
      return run('wrap', () => {
        const all = versions()
        const active = activeVersion(all)
        const handle = active === null ? undefined : all.get(active)?.[0]
        if (active === null || !handle) {
          throw new KeyProviderError('provider_unavailable', `token "${tokenLabel}" holds no key`)
        }
        // The IV comes from this process's CSPRNG: the token only sees it as a parameter, and a
        // random 96-bit IV per wrap keeps GCM's nonce collision bound far out of reach.
        const iv = randomBytes(IV_BYTES)
        pkcs11.C_EncryptInit(session, gcm(iv, context), handle)
        // SoftHSM2 (like most tokens) returns ciphertext || tag from a single-part C_Encrypt.
        const body = pkcs11.C_Encrypt(session, key, Buffer.alloc(key.length + TAG_BYTES))
        return { masterKeyId: labelOf(active), wrapped: Buffer.concat([iv, body]) }
      })
    },

    async unwrap(wrapped, context) {
      return run('unwrap', () => {
        const handles = handlesOf(wrapped.masterKeyId)
        const bytes = wrapped.wrapped
        const failed = (why: string) =>
          new KeyProviderError(
            'unwrap_failed',
            `tenant key does not unwrap under ${wrapped.masterKeyId}: ${why}`,
          )
        if (bytes.length < IV_BYTES + TAG_BYTES) throw failed('too short')
        const iv = bytes.subarray(0, IV_BYTES)
        const body = bytes.subarray(IV_BYTES)
        let lastError: unknown = null
        for (const handle of handles) {
          const out = Buffer.alloc(body.length)
          try {
            pkcs11.C_DecryptInit(session, gcm(iv, context), handle)
            const plain = pkcs11.C_Decrypt(session, body, out)
            return Buffer.from(plain)
          } catch (err) {
            const code = errorCode(err)
            if (code !== null && UNAVAILABLE_CODES.has(code)) throw unavailable('unwrap', err)
            // SoftHSM2 reports a tag mismatch (altered bytes, wrong context) as CKR_GENERAL_ERROR;
            // other tokens say CKR_ENCRYPTED_DATA_INVALID. Either way the bytes do not unwrap.
            lastError = err
          } finally {
            out.fill(0)
          }
        }
        throw failed(describeError(lastError))
      })
    },

    async createMasterKey() {
      return run('creating a master key', () => {
        const label = labelOf((activeVersion(versions()) ?? 0) + 1)
        pkcs11.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
          { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
          { type: pkcs11js.CKA_VALUE_LEN, value: AES_256_BYTES },
          { type: pkcs11js.CKA_LABEL, value: label },
          // Stable and unique per version, for tools that select keys by id (pkcs11-tool --id).
          { type: pkcs11js.CKA_ID, value: Buffer.from(label, 'utf8') },
          // KMS-1: kept on the token, usable only after login, and never readable in plaintext
          // (SENSITIVE) nor exportable even wrapped (EXTRACTABLE false). The token refuses to
          // turn either back, and MODIFIABLE false pins the usage flags as well.
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_PRIVATE, value: true },
          { type: pkcs11js.CKA_SENSITIVE, value: true },
          { type: pkcs11js.CKA_EXTRACTABLE, value: false },
          { type: pkcs11js.CKA_MODIFIABLE, value: false },
          // Only what wrapping by encryption needs.
          { type: pkcs11js.CKA_ENCRYPT, value: true },
          { type: pkcs11js.CKA_DECRYPT, value: true },
          { type: pkcs11js.CKA_WRAP, value: false },
          { type: pkcs11js.CKA_UNWRAP, value: false },
          { type: pkcs11js.CKA_SIGN, value: false },
          { type: pkcs11js.CKA_VERIFY, value: false },
          { type: pkcs11js.CKA_DERIVE, value: false },
        ])
        const created = info(versions()).find((k) => k.id === label)
        if (!created) {
          throw new KeyProviderError('provider_unavailable', `${label} not found after generating`)
        }
        return created
      })
    },

    async destroyMasterKey(id) {
      return run(`destroying ${id}`, () => {
        const n = versionOf(id)
        const all = versions()
        const handles = n === null ? undefined : all.get(n)
        if (n === null || !handles) {
          throw new KeyProviderError('unknown_master_key', `no master key ${id}`)
        }
        if (n === activeVersion(all)) {
          throw new KeyProviderError('active_master_key', `${id} is the active master key`)
        }
        for (const handle of handles) pkcs11.C_DestroyObject(session, handle)
      })
    },

    async listMasterKeys() {
      return run('listing master keys', () => info(versions()))
    },

    describe() {
      return { kind: 'pkcs11', location: `${library} token "${tokenLabel}"`, nonExtractable: true }
    },

    async close() {
      if (closed) return
      closed = true
      closeSession(loaded, session, slotKey)
    },
  }
}
