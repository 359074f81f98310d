// KMS-2: field encryption. Personal and sensitive values are stored as
//   header = format (1 byte, 0x01) || tenant key version (uint32 BE) || nonce (12 random bytes)
//   ciphertext = header || AES-256-GCM(field key, nonce, value, aad) || tag (16 bytes)
// with field key = HKDF-SHA256(tenant key version, "table/column") and the associated data
// binding the header, tenant id, table, column and row id. A value copied to another tenant, row
// or column, or with one bit changed, fails to decrypt: the "account code cross-check".
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { KmsError } from './errors.ts'
import type { Keyring } from './keyring.ts'

export const FORMAT_VERSION = 0x01
const HEADER_BYTES = 1 + 4 + 12
const TAG_BYTES = 16

/** Which stored value a ciphertext belongs to. */
export interface FieldRef {
  tenantId: string
  table: string
  column: string
  rowId: string
}

/** Length-prefixed parts, so ("ab","c") and ("a","bc") never give the same associated data. */
function associatedData(header: Buffer, ref: FieldRef): Buffer {
  const parts = [ref.tenantId, ref.table, ref.column, ref.rowId].map((p) => Buffer.from(p, 'utf8'))
  const out: Buffer[] = [header]
  for (const part of parts) {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(part.length)
    out.push(length, part)
  }
  return Buffer.concat(out)
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
  const { version, key } = await keyring.encryptionKey(ref.tenantId, `${ref.table}/${ref.column}`)
  const header = Buffer.alloc(HEADER_BYTES)
  header[0] = FORMAT_VERSION
  header.writeUInt32BE(version, 1)
  randomBytes(12).copy(header, 5)
  const cipher = createCipheriv('aes-256-gcm', key, header.subarray(5))
  key.fill(0)
  cipher.setAAD(associatedData(header, ref))
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
  const key = await keyring.fieldKey(ref.tenantId, version, `${ref.table}/${ref.column}`)
  const header = bytes.subarray(0, HEADER_BYTES)
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, header.subarray(5))
    decipher.setAAD(associatedData(header, ref))
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES))
    const body = bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES)
    return Buffer.concat([decipher.update(body), decipher.final()])
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
