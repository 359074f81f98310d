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

export interface Checkpoint {
  /** The tenant id, or `platform`. */
  log: string
  size: number
  /** Root hash, hex. */
  root: string
  /** ISO 8601 time of signing. */
  time: string
  keyId: string
  /** Ed25519 signature over checkpointText(), base64. */
  signature: string
}

export function logName(tenantId: string): string {
  return tenantId === PLATFORM_LOG ? 'platform' : tenantId
}

/** The exact bytes signed: one field a line, so no parser ambiguity. */
export function checkpointText(c: Omit<Checkpoint, 'signature' | 'keyId'>): string {
  return `rampart.audit.checkpoint.v1\n${c.log}\n${c.size}\n${c.root}\n${c.time}\n`
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
