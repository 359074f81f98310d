// LOG-2: signed checkpoints. A checkpoint (log, size, root, time) is signed with Ed25519 by a key
// kept outside the database, so whoever can rewrite the database cannot re-sign what they wrote.
// Pure signing and verification here; usable without a database, like merkle.ts.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { PLATFORM_LOG } from './events.ts'
import { type Checkpoint, checkpointText } from './proof-verifier.ts'

// The checkpoint's shape and signed text live in the portable verifier, which the console shares.
export { type Checkpoint, checkpointText }

export function logName(tenantId: string): string {
  return tenantId === PLATFORM_LOG ? 'platform' : tenantId
}

export interface CheckpointSigner {
  keyId: string
  /** SPKI DER, base64: what verifiers pin. */
  publicKey: string
  sign(c: Omit<Checkpoint, 'signature' | 'keyId'>): Checkpoint
}

export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(der).digest('hex').slice(0, 16)
}

export function signerFromPrivateKey(privateKey: KeyObject): CheckpointSigner {
  const publicKey = createPublicKey(privateKey)
  const keyId = keyIdOf(publicKey)
  return {
    keyId,
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    sign(c) {
      const signature = sign(null, Buffer.from(checkpointText(c)), privateKey).toString('base64')
      return { ...c, keyId, signature }
    },
  }
}

/**
 * The file key provider: an Ed25519 key in PEM, created 0600 on first use. The key management
 * measures (KMS-*) bring HSM-held keys behind the same CheckpointSigner interface.
 */
export function loadOrCreateSigner(keyFile: string): CheckpointSigner {
  if (!existsSync(keyFile)) {
    const { privateKey } = generateKeyPairSync('ed25519')
    mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 })
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
      flag: 'wx',
    })
  }
  return signerFromPrivateKey(createPrivateKey(readFileSync(keyFile)))
}

/** Is the signature over this checkpoint valid for this public key (SPKI DER, base64)? */
export function verifyCheckpoint(c: Checkpoint, publicKey: string): boolean {
  try {
    const key = createPublicKey({
      key: Buffer.from(publicKey, 'base64'),
      format: 'der',
      type: 'spki',
    })
    if (keyIdOf(key) !== c.keyId) return false
    return verify(null, Buffer.from(checkpointText(c)), key, Buffer.from(c.signature, 'base64'))
  } catch {
    return false
  }
}
