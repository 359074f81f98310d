// KMS-2: field encryption. Personal and sensitive values are stored as
//   header = format (1 byte, 0x01) || tenant key version (uint32 BE) || nonce (12 random bytes)
//   ciphertext = header || AES-256-GCM(field key, nonce, value, aad) || tag (16 bytes)
// with field key = HKDF-SHA256(tenant key version, "table/column") and the associated data
// binding the header, tenant id, table, column and row id. A value copied to another tenant, row
// or column, or with one bit changed, fails to decrypt: the "account code cross-check".
import { createCipheriv, createDecipheriv, type DecipherGCM, randomFillSync } from 'node:crypto'
import { KmsError } from './errors.ts'
import type { Keyring } from './keyring.ts'

export const FORMAT_VERSION = 0x01
const NONCE_BYTES = 12
const HEADER_BYTES = 1 + 4 + NONCE_BYTES
const TAG_BYTES = 16
const LENGTH_BYTES = 4

/** Which stored value a ciphertext belongs to. */
export interface FieldRef {
  tenantId: string
  table: string
  column: string
  rowId: string
}

// Nonces are cut from a batch of CSPRNG output, 12 bytes each, every slice used once: one
// randomFillSync per NONCE_BATCH values, because a randomBytes(12) call alone took a third of a
// 64-byte AES-GCM encryption's time (bench/crypto.ts). Nonces are not secret, so holding the
// batch in memory gives nothing away (node:crypto's randomUUID batches its entropy the same way);
// each is still 96 fresh random bits, as KMS-2 requires.
const NONCE_BATCH = 256
const nonces = Buffer.alloc(NONCE_BATCH * NONCE_BYTES)
let nonceOffset = nonces.length

function writeNonce(target: Buffer, offset: number): void {
  if (nonceOffset === nonces.length) {
    randomFillSync(nonces)
    nonceOffset = 0
  }
  nonces.copy(target, offset, nonceOffset, nonceOffset + NONCE_BYTES)
  nonceOffset += NONCE_BYTES
}

/**
 * "table/column", the HKDF info naming a field key and the key of the keyring's field key cache,
 * built once per table and column: a template string per call had to be built and hashed again
 * for every cache lookup. Table and column names come from code, so there are few; past
 * INFO_LIMIT of them (never in practice) it stops remembering, to stay bounded.
 */
const INFO_LIMIT = 1024
const infos = new Map<string, Map<string, string>>()
let infoCount = 0

function infoOf(table: string, column: string): string {
  let byColumn = infos.get(table)
  const known = byColumn?.get(column)
  if (known !== undefined) return known
  const info = `${table}/${column}`
  if (infoCount < INFO_LIMIT) {
    if (!byColumn) {
      byColumn = new Map()
      infos.set(table, byColumn)
    }
    byColumn.set(column, info)
    infoCount++
  }
  return info
}

/**
 * The associated data is built in one buffer, reused by every call: setAAD consumes it before
 * returning, and every caller goes from associatedData() to setAAD() without yielding, so no
 * other operation can write to it meanwhile. It holds no secret (header and identifiers). As
 * consecutive operations mostly name the same tenant, table and column, the length-prefixed
 * tenant id, table and column stay in place when they match the previous call's, and only the
 * row id is written again. A fresh buffer per call cost a tenth of a 64-byte decryptField (the
 * pool allocation and the garbage), and writing the unchanged parts again as much.
 */
const SCRATCH_BYTES = 512
let scratch = Buffer.alloc(SCRATCH_BYTES)
/** The tenant, table and column `scratch` holds, and where the row id goes (-1: nothing). */
let writtenTenant = ''
let writtenTable = ''
let writtenColumn = ''
let rowAt = -1

/**
 * The associated data, with room for the header in its first HEADER_BYTES (the caller writes the
 * header there): header, then tenant id, table, column and row id, each prefixed with its UTF-8
 * length, so ("ab","c") and ("a","bc") never give the same associated data. A view of `scratch`:
 * valid until the next call, so pass it to setAAD before anything else can run.
 */
function associatedData(ref: FieldRef): Buffer {
  const { tenantId, table, column, rowId } = ref
  const rowBytes = Buffer.byteLength(rowId, 'utf8')
  if (
    rowAt < 0 ||
    tenantId !== writtenTenant ||
    table !== writtenTable ||
    column !== writtenColumn ||
    rowAt + LENGTH_BYTES + rowBytes > scratch.length
  ) {
    const tenantBytes = Buffer.byteLength(tenantId, 'utf8')
    const tableBytes = Buffer.byteLength(table, 'utf8')
    const columnBytes = Buffer.byteLength(column, 'utf8')
    const length =
      HEADER_BYTES + 4 * LENGTH_BYTES + tenantBytes + tableBytes + columnBytes + rowBytes
    // Grown to fit an unusually long id, and back to its size after, not to hold on to memory.
    if (length > scratch.length || (scratch.length > SCRATCH_BYTES && length <= SCRATCH_BYTES)) {
      scratch = Buffer.alloc(Math.max(length, SCRATCH_BYTES))
    }
    rowAt = -1
    let at = scratch.writeUInt32BE(tenantBytes, HEADER_BYTES)
    at += scratch.write(tenantId, at, 'utf8')
    at = scratch.writeUInt32BE(tableBytes, at)
    at += scratch.write(table, at, 'utf8')
    at = scratch.writeUInt32BE(columnBytes, at)
    at += scratch.write(column, at, 'utf8')
    writtenTenant = tenantId
    writtenTable = table
    writtenColumn = column
    rowAt = at
  }
  const at = scratch.writeUInt32BE(rowBytes, rowAt)
  return scratch.subarray(0, at + scratch.write(rowId, at, 'utf8'))
}

/** A Buffer over the same bytes (no copy; pg gives Buffers already, PGlite Uint8Arrays). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function versionOf(bytes: Buffer): number {
  if (bytes.length < HEADER_BYTES + TAG_BYTES || bytes[0] !== FORMAT_VERSION) {
    throw new KmsError('ciphertext_malformed', 'not a Rampart field ciphertext')
  }
  return bytes.readUInt32BE(1)
}

/** The tenant key version a ciphertext was written under (re-encryption reads this). */
export function keyVersionOf(ciphertext: Uint8Array): number {
  return versionOf(asBuffer(ciphertext))
}

export async function encryptField(
  keyring: Keyring,
  ref: FieldRef,
  value: Buffer | string,
): Promise<Buffer> {
  const info = infoOf(ref.table, ref.column)
  const sealed = seal(keyring, null, ref, info, value)
  if (sealed) return sealed
  // The key is not cached: unwrap it (the only await), then seal with the copy handed out.
  const given = await keyring.encryptionKey(ref.tenantId, info)
  try {
    return seal(keyring, given, ref, info, value) as Buffer
  } finally {
    given.key.fill(0)
  }
}

/**
 * Seals `value` under `given`, or when null under the cached current key, made into a cipher by
 * the keyring itself; null when that is not cached (the nonce drawn is then never used, which
 * costs nothing: each is still used at most once). Runs without yielding (associatedData).
 */
function seal(
  keyring: Keyring,
  given: { version: number; key: Buffer } | null,
  ref: FieldRef,
  info: string,
  value: Buffer | string,
): Buffer | null {
  const aad = associatedData(ref)
  aad[0] = FORMAT_VERSION
  writeNonce(aad, 5)
  const nonce = aad.subarray(5, HEADER_BYTES)
  const sealer = given
    ? { version: given.version, cipher: createCipheriv('aes-256-gcm', given.key, nonce) }
    : keyring.cachedCipher(ref.tenantId, info, nonce)
  if (!sealer) return null
  aad.writeUInt32BE(sealer.version, 1)
  const { cipher } = sealer
  cipher.setAAD(aad)
  const plaintext = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
  return Buffer.concat([
    aad.subarray(0, HEADER_BYTES),
    cipher.update(plaintext),
    cipher.final(),
    cipher.getAuthTag(),
  ])
}

async function decipherFor(
  keyring: Keyring,
  tenantId: string,
  version: number,
  info: string,
  nonce: Buffer,
): Promise<DecipherGCM> {
  const key = await keyring.fieldKey(tenantId, version, info)
  try {
    return createDecipheriv('aes-256-gcm', key, nonce)
  } finally {
    key.fill(0)
  }
}

export async function decryptField(
  keyring: Keyring,
  ref: FieldRef,
  ciphertext: Uint8Array,
): Promise<Buffer> {
  const bytes = asBuffer(ciphertext)
  const version = versionOf(bytes)
  const info = infoOf(ref.table, ref.column)
  const nonce = bytes.subarray(5, HEADER_BYTES)
  // The keyring makes the decipher from a cached key itself; only a miss hands out a key.
  const decipher =
    keyring.cachedDecipher(ref.tenantId, version, info, nonce) ??
    (await decipherFor(keyring, ref.tenantId, version, info, nonce))
  try {
    const aad = associatedData(ref)
    bytes.copy(aad, 0, 0, HEADER_BYTES)
    decipher.setAAD(aad)
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES))
    const plaintext = decipher.update(bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES))
    // GCM's final() only checks the tag and returns no bytes: no copy to join them.
    const rest = decipher.final()
    return rest.length === 0 ? plaintext : Buffer.concat([plaintext, rest])
  } catch {
    throw new KmsError(
      'ciphertext_rejected',
      `the ${ref.table}.${ref.column} value does not belong to this tenant and row, or was altered`,
    )
  }
}

export async function decryptFieldText(
  keyring: Keyring,
  ref: FieldRef,
  ciphertext: Uint8Array,
): Promise<string> {
  return (await decryptField(keyring, ref, ciphertext)).toString('utf8')
}
