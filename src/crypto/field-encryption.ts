// KMS-2: field encryption. Personal and sensitive values are stored as
//   header = format (1 byte, 0x01) || tenant key version (uint32 BE) || nonce (12 random bytes)
//   ciphertext = header || AES-256-GCM(field key, nonce, value, aad) || tag (16 bytes)
// with field key = HKDF-SHA256(tenant key version, "table/column") and the associated data
// binding the header, tenant id, table, column and row id. A value copied to another tenant, row
// or column, or with one bit changed, fails to decrypt: the "account code cross-check".
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto'
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
 * The associated data, with room for the header in its first HEADER_BYTES (the caller writes the
 * header there): header, then tenant id, table, column and row id, each prefixed with its UTF-8
 * length, so ("ab","c") and ("a","bc") never give the same associated data. One allocation, not
 * nine: built from parts it took a tenth of a 64-byte encryptField.
 */
function associatedData(ref: FieldRef): Buffer {
  const { tenantId, table, column, rowId } = ref
  const tenantBytes = Buffer.byteLength(tenantId, 'utf8')
  const tableBytes = Buffer.byteLength(table, 'utf8')
  const columnBytes = Buffer.byteLength(column, 'utf8')
  const rowBytes = Buffer.byteLength(rowId, 'utf8')
  // Unsafe (pooled, not zeroed) is fine: every byte is written below or by the caller.
  const out = Buffer.allocUnsafe(
    HEADER_BYTES + 4 * LENGTH_BYTES + tenantBytes + tableBytes + columnBytes + rowBytes,
  )
  let at = out.writeUInt32BE(tenantBytes, HEADER_BYTES)
  at += out.write(tenantId, at, 'utf8')
  at = out.writeUInt32BE(tableBytes, at)
  at += out.write(table, at, 'utf8')
  at = out.writeUInt32BE(columnBytes, at)
  at += out.write(column, at, 'utf8')
  at = out.writeUInt32BE(rowBytes, at)
  out.write(rowId, at, 'utf8')
  return out
}

/** The tenant key version a ciphertext was written under (re-encryption reads this). */
export function keyVersionOf(ciphertext: Uint8Array): number {
  const bytes = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength)
  if (bytes.length < HEADER_BYTES + TAG_BYTES || bytes[0] !== FORMAT_VERSION) {
    throw new KmsError('ciphertext_malformed', 'not a Rampart field ciphertext')
  }
  return bytes.readUInt32BE(1)
}

export async function encryptField(
  keyring: Keyring,
  ref: FieldRef,
  value: Buffer | string,
): Promise<Buffer> {
  const info = `${ref.table}/${ref.column}`
  const { version, key } =
    keyring.cachedEncryptionKey(ref.tenantId, info) ??
    (await keyring.encryptionKey(ref.tenantId, info))
  const aad = associatedData(ref)
  aad[0] = FORMAT_VERSION
  aad.writeUInt32BE(version, 1)
  writeNonce(aad, 5)
  const header = aad.subarray(0, HEADER_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, header.subarray(5))
  key.fill(0)
  cipher.setAAD(aad)
  const plaintext = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
  return Buffer.concat([header, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
}

export async function decryptField(
  keyring: Keyring,
  ref: FieldRef,
  ciphertext: Uint8Array,
): Promise<Buffer> {
  const version = keyVersionOf(ciphertext)
  const bytes = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength)
  const info = `${ref.table}/${ref.column}`
  const key =
    keyring.cachedFieldKey(ref.tenantId, version, info) ??
    (await keyring.fieldKey(ref.tenantId, version, info))
  const header = bytes.subarray(0, HEADER_BYTES)
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, header.subarray(5))
    const aad = associatedData(ref)
    header.copy(aad, 0)
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
  } finally {
    key.fill(0)
  }
}

export async function decryptFieldText(
  keyring: Keyring,
  ref: FieldRef,
  ciphertext: Uint8Array,
): Promise<string> {
  return (await decryptField(keyring, ref, ciphertext)).toString('utf8')
}
