// LOG-2, LOG-4: the standalone verifier's portable half: the checkpoint text, the RFC 9162
// inclusion walk, and a check of one proof answer of GET /api/v1/audit/events/:index/proof. It
// imports nothing (no node:crypto, no DOM): SHA-256 and Ed25519 come from the caller, so the server
// and CLI (merkle.ts, checkpoint.ts, node:crypto) and the console (WebCrypto) run this same code.

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

/** The exact bytes signed: one field a line, so no parser ambiguity. */
export function checkpointText(c: Omit<Checkpoint, 'signature' | 'keyId'>): string {
  return `rampart.audit.checkpoint.v1\n${c.log}\n${c.size}\n${c.root}\n${c.time}\n`
}

/**
 * RFC 9162 section 2.1.3.2: the root that `proof` leads to from leaf `index` of a tree of `size`,
 * or null when the proof cannot belong to that position (wrong length, index out of range).
 * Generic over the hash type so a synchronous hash (Buffer) and an asynchronous one (a Promise
 * of WebCrypto's digest) walk the same steps.
 */
export function inclusionRoot<H>(
  leaf: H,
  index: number,
  size: number,
  proof: readonly H[],
  node: (left: H, right: H) => H,
): H | null {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    return null
  }
  let fn = index
  let sn = size - 1
  let r = leaf
  for (const p of proof) {
    if (sn === 0) return null
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      r = node(r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 ? r : null
}

/** What a verifier supplies: SHA-256 and Ed25519 over SPKI DER public keys. */
export interface VerifierCrypto {
  sha256(data: Uint8Array): Promise<Uint8Array>
  verifyEd25519(spkiDer: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>
}

export function hexToBytes(hex: string): Uint8Array | null {
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) return null
  const bytes = new Uint8Array(hex.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return bytes
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export function base64ToBytes(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null
  const binary = atob(text)
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/** The key id a checkpoint names: the first 16 hex digits of SHA-256 of the SPKI DER key. */
export async function keyIdOf(crypto: VerifierCrypto, spkiDer: Uint8Array): Promise<string> {
  return bytesToHex(await crypto.sha256(spkiDer)).slice(0, 16)
}

export type Verdict = { ok: true } | { ok: false; problem: string }

/** Is this checkpoint signed by this public key (SPKI DER, base64), for the log `log`? */
export async function checkCheckpoint(
  crypto: VerifierCrypto,
  checkpoint: Checkpoint,
  publicKey: string,
  log?: string,
): Promise<Verdict> {
  if (log !== undefined && checkpoint.log !== log) {
    return { ok: false, problem: 'the checkpoint is for another log' }
  }
  const key = base64ToBytes(publicKey)
  const signature = base64ToBytes(checkpoint.signature)
  if (!key || !signature) return { ok: false, problem: 'the key or signature is not base64' }
  if ((await keyIdOf(crypto, key)) !== checkpoint.keyId) {
    return { ok: false, problem: 'the checkpoint names another signing key' }
  }
  const text = new TextEncoder().encode(checkpointText(checkpoint))
  let valid: boolean
  try {
    valid = await crypto.verifyEd25519(key, text, signature)
  } catch {
    valid = false
  }
  return valid ? { ok: true } : { ok: false, problem: 'the signature does not verify' }
}

/** The answer of GET /api/v1/audit/events/:index/proof. */
export interface InclusionAnswer {
  index: number
  leafHash: string
  /** The canonical event text. */
  event: string
  proof: string[]
  checkpoint: Checkpoint
}

/**
 * Does the answer prove its event is entry `index` of the signed tree? The leaf hash is computed
 * from the event text (the answer's own leafHash is not trusted), walked up the audit path to the
 * root and compared with the checkpoint's, whose signature is checked with `publicKey`.
 */
export async function checkInclusion(
  crypto: VerifierCrypto,
  answer: InclusionAnswer,
  publicKey: string,
  log?: string,
): Promise<Verdict> {
  const leaf = await crypto.sha256(
    concat(new Uint8Array([0x00]), new TextEncoder().encode(answer.event)),
  )
  if (bytesToHex(leaf) !== answer.leafHash.toLowerCase()) {
    return { ok: false, problem: 'the event text does not match its leaf hash' }
  }
  const proof = answer.proof.map(hexToBytes)
  const root = hexToBytes(answer.checkpoint.root)
  if (!root || proof.some((p) => p === null || p.length !== 32)) {
    return { ok: false, problem: 'a hash in the proof is malformed' }
  }
  const node = async (left: Promise<Uint8Array>, right: Promise<Uint8Array>) =>
    crypto.sha256(concat(new Uint8Array([0x01]), await left, await right))
  const walked = inclusionRoot(
    Promise.resolve(leaf),
    answer.index,
    answer.checkpoint.size,
    (proof as Uint8Array[]).map((p) => Promise.resolve(p)),
    node,
  )
  if (!walked) return { ok: false, problem: 'the proof does not fit that entry and tree size' }
  if (!equalBytes(await walked, root)) {
    return { ok: false, problem: 'the proof does not lead to the signed root' }
  }
  return checkCheckpoint(crypto, answer.checkpoint, publicKey, log)
}
